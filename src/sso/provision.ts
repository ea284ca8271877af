// Just-in-time creation: the user, everything the saved attributes describe, the rule's JIT groups and the SSO
// identity, in ONE transaction. Two first logins of the same person at once create one user: the loser of the
// race finds the winner's identity (inside its transaction, or after a unique violation) and logs that user in.
import type { Context } from '../context.ts';
import type { DataModel } from '../core/jit-model.ts';
import { planJit, type JitProfile } from '../core/jit.ts';
import type { LoginRule } from '../core/rules.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { asDb, type Db, type UserRow } from '../db/types.ts';
import { identityData, type SsoIdentities } from './identities.ts';
import { createWrites, linkWrites } from './writes.ts';

export type ProvisionResult =
  | { kind: 'created'; user: UserRow }
  /** Another request created (and linked) this person first. */
  | { kind: 'existing'; userId: number }
  | { kind: 'refused'; code: 'sso_not_provisioned' | 'sso_username_taken'; detail: string };

class Refused extends Error {
  constructor(readonly result: Extract<ProvisionResult, { kind: 'refused' }>) {
    super(result.detail);
  }
}

export async function provisionUser(ctx: Context, identities: SsoIdentities, dataModel: DataModel, rule: LoginRule, profile: JitProfile): Promise<ProvisionResult> {
  const planned = planJit({ saved: rule.savedAttributes, profile, dataModel, jitUsername: ctx.config.jitUsername, mode: 'create' });
  if (!planned.ok) return { kind: 'refused', code: 'sso_not_provisioned', detail: planned.reason };
  const { plan } = planned;
  if (plan.warnings.length) ctx.config.logger.warn(`express-workos-login: saved attributes of rule ${rule.id} "${rule.name}" partly skipped`, { ruleId: rule.id, warnings: plan.warnings });
  const username = String(plan.user.username ?? '');
  if (!username) return { kind: 'refused', code: 'sso_not_provisioned', detail: 'the profile gives no username' };
  const db = asDb(ctx.prisma);

  const attempt = () =>
    db.$transaction(async (tx: Db): Promise<ProvisionResult> => {
      // Serialised databases (SQLite) run the second login after the first committed: it finds the identity here.
      const existing = await identities.find(profile, tx);
      if (existing) return { kind: 'existing', userId: existing.userId };
      if (await tx.user.findUnique({ where: { username } })) {
        throw new Refused({ kind: 'refused', code: 'sso_username_taken', detail: `username "${username}" is taken` });
      }
      const links = await linkWrites(tx, plan);
      if (!links.ok) throw new Refused({ kind: 'refused', code: 'sso_not_provisioned', detail: links.detail });
      const user = await tx.user.create({
        data: {
          ...plan.user,
          ...links.data,
          ...createWrites(plan),
          groups: { connect: rule.jitGroups.map((name) => ({ name })) },
          ssoIdentities: { create: identityData(profile, new Date(ctx.now())) },
        },
      });
      return { kind: 'created', user };
    });

  // A unique violation is a race: the same person (their identity), or a shared record created by someone else
  // at the same moment (a `~rel` location). Look again, then try once more.
  for (let round = 0; ; round++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof Refused) && !isUniqueViolation(err)) throw err;
      // The username may be "taken" by this very person, created by a parallel login that just committed.
      const existing = err instanceof Refused && err.result.code !== 'sso_username_taken' ? null : await identities.find(profile);
      if (existing) return { kind: 'existing', userId: existing.userId };
      if (err instanceof Refused) return err.result;
      if (round >= 1) return { kind: 'refused', code: 'sso_username_taken', detail: 'a unique field of the new user is taken' };
    }
  }
}
