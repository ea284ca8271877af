// Auto update (`autoUpdate`, default on): at each SSO login of an existing user, first/last name and email come
// from the profile and templated saved attributes are rendered again, and the user is saved (with or without
// saved attributes). `~rel` / `!rel` are re-linked to the record the lookup finds now; shared records are
// never renamed.
import type { Context } from '../context.ts';
import type { DataModel } from '../core/jit-model.ts';
import { planJit, type JitProfile } from '../core/jit.ts';
import type { LoginRule } from '../core/rules.ts';
import { asDb, type Db } from '../db/types.ts';
import { linkWrites, updateWrites } from './writes.ts';

export async function refreshUser(ctx: Context, dataModel: DataModel, userId: number, rule: LoginRule, profile: JitProfile): Promise<void> {
  const planned = planJit({ saved: rule.savedAttributes, profile, dataModel, jitUsername: ctx.config.jitUsername, mode: 'update' });
  if (!planned.ok) {
    ctx.config.logger.warn(`express-workos-login: auto update skipped for user ${userId}: ${planned.reason}`, { userId, ruleId: rule.id });
    return;
  }
  const { plan } = planned;
  await asDb(ctx.prisma).$transaction(async (tx: Db) => {
    const links = await linkWrites(tx, plan);
    const linked = links.ok ? links.data : {};
    const notes = [...plan.warnings, ...(links.ok ? links.notes : [`${links.detail}; link left as it was`])];
    if (notes.length) ctx.config.logger.warn(`express-workos-login: auto update of user ${userId} partly skipped`, { userId, ruleId: rule.id, notes });
    await tx.user.update({ where: { id: userId }, data: { ...plan.user, ...linked, ...(await updateWrites(tx, userId, plan)) } });
  });
}
