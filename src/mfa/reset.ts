// `login.resetMfa(userId)`: for admins and support (a lost phone and no recovery codes). Removes the
// user's factors and recovery codes, ends all their sessions (half-logins included), then deletes the
// factors at WorkOS; the user enrolls again at their next login if their rule asks for MFA.
import type { Context } from '../context.ts';
import { publicUser } from '../context.ts';
import { describeSdkError } from '../workos/client.ts';
import type { FactorsApi } from './factors-api.ts';
import type { MfaStore } from './store.ts';
import type { UserId } from '../user-types.ts';

export interface MfaResetResult {
  factorsRemoved: number;
  recoveryCodesRemoved: number;
  /** Factors WorkOS could not delete (outage): already removed here, so they can no longer be used. */
  workosDeleteFailures: number;
}

/** Resolves to null when no user has this id. */
export async function resetMfa(ctx: Pick<Context, 'users' | 'config' | 'events'>, store: MfaStore, api: FactorsApi, userId: UserId): Promise<MfaResetResult | null> {
  const user = await ctx.users.findById(userId);
  if (!user) return null;
  const factors = await store.factors(userId);
  // Locally first: the factors stop counting even if WorkOS is unreachable.
  const removed = await store.removeAll(userId);
  let workosDeleteFailures = 0;
  for (const factor of factors) {
    try {
      await api.remove(factor.workosFactorId);
    } catch (err) {
      workosDeleteFailures += 1;
      ctx.config.logger.error(`express-workos-login: resetMfa could not delete factor ${factor.workosFactorId} at WorkOS`, {
        error: describeSdkError(err instanceof Error && err.cause ? err.cause : err),
      });
    }
  }
  ctx.events.emit('mfaReset', { user: publicUser(user), factorsRemoved: removed.factors, recoveryCodesRemoved: removed.recoveryCodes });
  return { factorsRemoved: removed.factors, recoveryCodesRemoved: removed.recoveryCodes, workosDeleteFailures };
}
