// GET callback/sso/: the SSO strategy decides; a login continues through the shared flow (SSO completes it: the
// IdP owns MFA), and every refusal is a message on the login page (400/403) and a `loginFailed` event.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { clientIp, type Context } from '../context.ts';
import { Throttle } from '../http/rate-limit.ts';
import { messageFor } from '../errors.ts';
import { reportLoginFailure } from '../http/audit.ts';
import { renderLoginPage } from '../login/page.ts';
import type { CallbackResult } from './callback.ts';
import { SSO_STRATEGY } from './strategy.ts';

type Refused = Extract<CallbackResult, { kind: 'refuse' }>;

export function ssoRoutes(ctx: Context): Router {
  const home = ctx.config.loginRedirectUrl;

  function refuse(req: Request, res: Response, { refusal: r, pending, profile, extra }: Refused): void {
    reportLoginFailure(ctx, req, { typed: pending?.typed || profile?.email || '', user: r.user, rule: r.rule, reason: r.reason });
    // Codes, states and tokens never reach the log: only what was decided and why.
    ctx.config.logger.info(`express-workos-login: SSO login refused (${r.reason})${r.detail ? `: ${r.detail}` : ''}`, { ruleId: r.rule?.id ?? null, userId: r.user?.id ?? null });
    renderLoginPage(ctx, req, res, { step: 'username', username: pending?.typed ?? '', next: pending?.next ?? home }, { status: r.status, errors: [r.code], extra });
  }

  const limit = ctx.config.sso.callbackLimit;
  const perIp = new Throttle(ctx.limiters('sso-callback-ip', limit), limit.points);

  // Counted before the code is redeemed: a flood of callbacks (forged or replayed) never reaches WorkOS.
  const throttled: RequestHandler = (req, res, nextFn) => {
    perIp
      .attempt(clientIp(req))
      .then((wait) => {
        if (wait === 0) return nextFn();
        reportLoginFailure(ctx, req, { typed: '', user: null, rule: null, reason: 'sso_callback_throttled' });
        ctx.config.logger.warn('express-workos-login: SSO callback refused: too many from one client IP', { retryAfterSeconds: wait });
        res.set('Retry-After', String(wait));
        ctx.renderer.render(req, res, 'error', { heading: 'Too many sign-in attempts', error_message: messageFor('sso_callback_throttled') }, { status: 429 });
      })
      .catch(nextFn);
  };

  const callback: RequestHandler = (req, res, nextFn) => {
    ctx.passport.authenticate(SSO_STRATEGY, { session: false }, (err: unknown, _user: unknown, result?: CallbackResult) => {
      if (err) return nextFn(err);
      if (result?.kind === 'refuse') return refuse(req, res, result);
      if (result?.kind !== 'login') return nextFn(new TypeError('the SSO strategy ended without a result'));
      const { user, rule, pending } = result;
      ctx.flow.advance({ req, typed: pending?.typed || user.username, user, rule, next: pending?.next ?? home }, 'first', res).catch(nextFn);
    })(req, res, nextFn);
  };

  return Router().get('/callback/sso', throttled, callback);
}
