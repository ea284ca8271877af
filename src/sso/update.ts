// Auto update (`autoUpdate`, default on): at each SSO login of an existing user, first/last name and email come
// from the profile and templated saved attributes are rendered again, and the user is saved (with or without
// saved attributes) by the JIT writer of src/db/. `~rel` / `!rel` are re-linked to the record the lookup finds
// now; shared records are never renamed.
import type { Context } from '../context.ts';
import type { DataModel } from '../core/jit-model.ts';
import { planJit, type JitProfile } from '../core/jit.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserId } from '../user-types.ts';

export async function refreshUser(ctx: Context, dataModel: DataModel, userId: UserId, rule: LoginRule, profile: JitProfile): Promise<void> {
  const planned = planJit({ saved: rule.savedAttributes, profile, dataModel, jitUsername: ctx.config.sso.jitUsername, mode: 'update' });
  if (!planned.ok) {
    ctx.config.logger.warn(`express-workos-login: auto update skipped for user ${userId}: ${planned.reason}`, { userId, ruleId: rule.id });
    return;
  }
  const { plan } = planned;
  const { notes: linkNotes } = await ctx.repos.jit.update(userId, plan);
  const notes = [...plan.warnings, ...linkNotes];
  if (notes.length) ctx.config.logger.warn(`express-workos-login: auto update of user ${userId} partly skipped`, { userId, ruleId: rule.id, notes });
}
