// The `mfa` second step: after a correct password (or a magic link, for a user with a factor), start the half-login and send the person to
// enroll/ (no factor yet) or verify/. Nothing is logged in here.
import type { MethodRuntime } from '../contract.ts';
import { regenerateSession, saveSession } from '../http/session.ts';
import type { MfaFlow } from './flow.ts';
import { startPending } from './pending.ts';

export function mfaHandler(flow: MfaFlow): Pick<MethodRuntime, 'afterFirstFactor'> {
  const { ctx } = flow;
  return {
    async afterFirstFactor({ req, user, rule, next }, res) {
      // A new session id for the half-login as well (fixation): the full login regenerates it again.
      await regenerateSession(req);
      startPending(req, {
        userId: user.id,
        ruleId: rule.id,
        next,
        expiresAt: ctx.now() + ctx.config.mfa.pendingTtlSeconds * 1000,
        v: user.sessionVersion,
      });
      const { hasMfa } = await ctx.users.facts(user);
      await saveSession(req);
      res.redirect(303, flow.url(req, hasMfa ? 'verify' : 'enroll'));
    },
  };
}
