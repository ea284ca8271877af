// HTTP for magic links: the request form, "check your email", and the link's landing page. GET never uses a link
// up (mail scanners fetch links); the page's one button POSTs, and only that POST logs in.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { reportLoginFailure } from '../http/audit.ts';
import { safeNext } from '../core/next-url.ts';
import { messageFor } from '../errors.ts';
import { saveSession } from '../http/session.ts';
import type { MagicLinkCallback, Verdict } from './callback.ts';
import { MAGIC_LINK_STRATEGY, parseLink } from './strategy.ts';
import { pages, type MagicLinkRequests } from './request.ts';
import { readPending } from './state.ts';

const requestBody = z.object({
  username: z.string().max(320).default(''),
  next: z.string().max(2048).default(''),
});

export function magicLinkRoutes(ctx: Context, requests: MagicLinkRequests, callback: MagicLinkCallback): Router {
  const router = Router();
  const homeUrl = ctx.config.loginRedirectUrl;
  const ttl_minutes = requests.ttlMinutes();
  const by_code = ctx.config.magicLink.provider === 'workos-magic-auth';

  // --- ask for a link -----------------------------------------------------------------------------------
  router.get('/magic', (req, res) => {
    const next = safeNext(typeof req.query.next === 'string' ? req.query.next : undefined, homeUrl);
    ctx.renderer.render(req, res, 'magic_link_request', { action: pages.request(req), username: '', next, fixed: false, ttl_minutes, by_code });
  });

  router.post('/magic', async (req, res) => {
    const body = requestBody.catch({ username: '', next: '' }).parse(req.body ?? {});
    const typed = body.username.trim();
    const next = safeNext(body.next, homeUrl);
    if (!typed) {
      return ctx.renderer.render(req, res, 'magic_link_request', { action: pages.request(req), username: '', next, fixed: false, ttl_minutes, by_code }, { status: 400, messages: [{ level: 'error', text: messageFor('username_required') }] });
    }
    await requests.request(req, res, typed, next);
  });

  router.get('/complete', (req, res) => {
    const pending = readPending(req, ctx.now());
    ctx.renderer.render(req, res, 'magic_link_complete', {
      sent_message: messageFor('magic_link_sent'),
      // Only a session that passed the password sees the second-factor text; everyone else sees the same page.
      second_factor: pending?.method === 'email_mfa',
      same_browser: ctx.config.magicLink.provider === 'workos' || pending?.method === 'email_mfa',
      ttl_minutes,
      request_url: pages.request(req),
    });
  });

  // --- the link -----------------------------------------------------------------------------------------
  const renderVerdict = (req: Request, res: Response, verdict: Verdict) => {
    const common = { request_url: pages.request(req), action: `${req.baseUrl}/callback/magic/` };
    // The URL carries a single-use secret: no Referer may leak it, and no cache may keep the page.
    const options = { noReferrer: true };
    if (verdict.ok) {
      return ctx.renderer.render(req, res, 'magic_link_confirm', { ...common, valid: true, username: verdict.user.username, fields: verdict.fields }, options);
    }
    ctx.renderer.render(
      req,
      res,
      'magic_link_confirm',
      { ...common, valid: false, invalid_message: messageFor(verdict.code), password_first: verdict.code === 'magic_link_password_first' },
      { ...options, status: verdict.code === 'method_not_allowed' ? 403 : 400 },
    );
  };

  router.get('/callback/magic', async (req, res) => {
    // WorkOS reports a used or expired link as ?error=access_denied: a plain "ask for a new one" (never its text).
    const verdict = await callback.check(req, parseLink(req.query));
    renderVerdict(req, res, verdict);
  });

  router.post('/callback/magic', (req, res, nextFn) => {
    ctx.passport.authenticate(MAGIC_LINK_STRATEGY, { session: false }, (err: unknown, _user: unknown, verdict?: Verdict) => {
      if (err) return nextFn(err);
      if (!verdict) return nextFn(new TypeError('the magic-link strategy ended without a verdict'));
      answerLink(req, res, verdict).catch(nextFn);
    })(req, res, nextFn);
  });

  async function answerLink(req: Request, res: Response, verdict: Verdict): Promise<void> {
    if (!verdict.ok) {
      reportLoginFailure(ctx, req, { typed: verdict.user?.username ?? '', user: verdict.user, rule: verdict.rule, reason: verdict.code === 'method_not_allowed' ? 'method_not_allowed' : 'link_invalid' });
      await saveSession(req);
      return renderVerdict(req, res, verdict);
    }
    const { user, rule } = verdict;
    // The link is the first factor of `magic` (an enrolled MFA factor may follow) and the second of `email_mfa`.
    const passed = ctx.flow.steps(rule.method)?.first === 'own' ? 'first' : 'second';
    await ctx.flow.advance({ req, typed: user.username, user, rule, next: safeNext(verdict.next, homeUrl) }, passed, res);
  }

  return router;
}
