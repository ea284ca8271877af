// Just-in-time creation: plans what to write for the profile (src/core/jit.ts) and hands the plan to the JIT
// writer of src/db/, which writes the user, everything the saved attributes describe, the rule's JIT groups and
// the SSO identity in ONE transaction. Two first logins of the same person at once create one user: the loser of
// the race gets `existing` and logs that user in.
import type { Context } from '../context.ts';
import type { DataModel } from '../core/jit-model.ts';
import { planJit, type JitProfile } from '../core/jit.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/ports.ts';
import { identityData } from './identities.ts';
import type { UserId } from '../user-types.ts';

export type ProvisionResult =
  | { kind: 'created'; user: UserRow }
  /** Another request created (and linked) this person first. */
  | { kind: 'existing'; userId: UserId }
  | { kind: 'refused'; code: 'sso_not_provisioned' | 'sso_username_taken'; detail: string };

export async function provisionUser(ctx: Context, dataModel: DataModel, rule: LoginRule, profile: JitProfile): Promise<ProvisionResult> {
  const planned = planJit({ saved: rule.savedAttributes, profile, dataModel, jitUsername: ctx.config.sso.jitUsername, mode: 'create' });
  if (!planned.ok) return { kind: 'refused', code: 'sso_not_provisioned', detail: planned.reason };
  const { plan } = planned;
  if (plan.warnings.length) ctx.config.logger.warn(`express-workos-login: saved attributes of rule ${rule.id} "${rule.name}" partly skipped`, { ruleId: rule.id, warnings: plan.warnings });
  const username = String(plan.user.username ?? '');
  if (!username) return { kind: 'refused', code: 'sso_not_provisioned', detail: 'the profile gives no username' };
  const result = await ctx.repos.jit.create({ plan, username, groups: rule.jitGroups, identity: identityData(profile, new Date(ctx.now())) });
  if (result.kind !== 'refused') return result;
  return { kind: 'refused', code: result.reason === 'username_taken' ? 'sso_username_taken' : 'sso_not_provisioned', detail: result.detail };
}
