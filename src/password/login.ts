// POST login/ with a password: the password strategy decides, and the shared flow runs the next step (a second
// factor, a link) or logs the person in. Every refusal re-renders the password form with the name kept.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Context } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import { reportLoginFailure } from '../http/audit.ts';
import { loginBody, renderLoginPage } from '../login/page.ts';
import { PASSWORD_STRATEGY, type PasswordOutcome } from './strategy.ts';

export function passwordLoginRoutes(ctx: Context): Router {
  const home = ctx.config.loginRedirectUrl;

  async function answer(req: Request, res: Response, next: string, outcome: PasswordOutcome): Promise<void> {
    if (outcome.ok) return ctx.flow.advance({ req, typed: outcome.typed, user: outcome.user, rule: outcome.rule, next }, 'first', res);
    const { typed, user, rule, reason } = outcome;
    if (reason === 'second_step_required') throw new TypeError('the router runs the password strategy with partial: true');
    reportLoginFailure(ctx, req, { typed, user, rule, reason });
    if (reason === 'throttled') {
      res.set('Retry-After', String(outcome.retryAfter ?? 1));
      return renderLoginPage(ctx, req, res, { step: 'password', username: typed, next }, { status: 429, errors: ['throttled'] });
    }
    // A password for a user whose rule does not take one (magic link, SSO) gets the answer an unknown name gets:
    // a distinct one would confirm the account and tell its method. The event still says why.
    renderLoginPage(ctx, req, res, { step: 'password', username: typed, next }, { status: 401, errors: ['invalid_credentials'] });
  }

  const submitPassword: RequestHandler = (req, res, nextFn) => {
    const body = loginBody.parse(req.body ?? {});
    const next = safeNext(body.next, home);
    ctx.passport.authenticate(PASSWORD_STRATEGY, { session: false }, (err: unknown, _user: unknown, info?: PasswordOutcome) => {
      if (err) return nextFn(err);
      // passport-local fails an empty password before the strategy runs: that is a wrong password too.
      const outcome: PasswordOutcome = info && 'ok' in info ? info : { ok: false, reason: 'invalid_credentials', typed: body.username.trim(), user: null, rule: null };
      answer(req, res, next, outcome).catch(nextFn);
    })(req, res, nextFn);
  };

  return Router().post('/login', submitPassword);
}
