// The `mfa` method handler: after a correct password, start the half-login and send the person to
// enroll/ (no factor yet) or verify/. Nothing is logged in here.
import type { MethodHandler } from '../context.ts';
import { LoginError } from '../errors.ts';
import { regenerateSession, saveSession } from '../http/session.ts';
import type { MfaFlow } from './flow.ts';
import { startPending } from './pending.ts';

export function mfaHandler(flow: MfaFlow): MethodHandler {
  const { ctx } = flow;
  return {
    async afterPassword({ req, user, rule, next }, res) {
      if (!rule) throw new LoginError('no_rule', 403);
      // A new session id for the half-login as well (fixation): the full login regenerates it again.
      await regenerateSession(req);
      startPending(req, {
        userId: user.id,
        ruleId: rule.id,
        next,
        expiresAt: ctx.now() + ctx.config.mfa.pendingTtlSeconds * 1000,
        v: user.sessionVersion,
      });
      const factors = await flow.store.factors(user.id);
      await saveSession(req);
      res.redirect(303, flow.url(req, factors.length > 0 ? 'verify' : 'enroll'));
    },
  };
}
