// HTTP for magic links: the request form, "check your email", and the link's landing page. GET never uses a link
// up (mail scanners fetch links); the page's one button POSTs, and only that POST logs in.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context, MethodRegistry } from '../context.ts';
import { auditContext, ruleRef } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import { LoginError, messageFor } from '../errors.ts';
import { completeLogin } from '../http/auth.ts';
import { saveSession } from '../http/session.ts';
import type { LinkParams, MagicLinkCallback, Verdict } from './callback.ts';
import { pages, type MagicLinkRequests } from './request.ts';
import { readPending } from './state.ts';

const secret = z.string().min(1).max(2048);
const linkParams = z.union([
  z.object({ token: secret }).transform((p): LinkParams => ({ kind: 'local', token: p.token })),
  z.object({ code: secret, state: secret }).transform((p): LinkParams => ({ kind: 'workos', code: p.code, state: p.state })),
]);

const requestBody = z.object({
  username: z.string().max(320).default(''),
  next: z.string().max(2048).default(''),
});

function parseLink(source: unknown): LinkParams {
  const parsed = linkParams.safeParse(source ?? {});
  return parsed.success ? parsed.data : { kind: 'error' };
}

export function magicLinkRoutes(ctx: Context, requests: MagicLinkRequests, callback: MagicLinkCallback, methods: () => MethodRegistry): Router {
  const router = Router();
  const homeUrl = ctx.config.loginRedirectUrl;
  const ttl_minutes = requests.ttlMinutes();

  // --- ask for a link -----------------------------------------------------------------------------------
  router.get('/magic', (req, res) => {
    const next = safeNext(typeof req.query.next === 'string' ? req.query.next : undefined, homeUrl);
    ctx.renderer.render(req, res, 'magic_link_request', { action: pages.request(req), username: '', next, fixed: false, ttl_minutes });
  });

  router.post('/magic', async (req, res) => {
    const body = requestBody.catch({ username: '', next: '' }).parse(req.body ?? {});
    const typed = body.username.trim();
    const next = safeNext(body.next, homeUrl);
    if (!typed) {
      return ctx.renderer.render(req, res, 'magic_link_request', { action: pages.request(req), username: '', next, fixed: false, ttl_minutes }, { status: 400, messages: [{ level: 'error', text: messageFor('username_required') }] });
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

  router.post('/callback/magic', async (req, res) => {
    const params = parseLink(req.body);
    const verdict = await callback.check(req, params);
    const refuse = async (v: Extract<Verdict, { ok: false }>) => {
      ctx.events.emit('loginFailed', {
        ...auditContext(req),
        username: v.user?.username ?? '',
        user: v.user ? { id: v.user.id, username: v.user.username } : null,
        rule: ruleRef(v.rule),
        method: v.rule?.method ?? null,
        reason: v.code === 'method_not_allowed' ? 'method_not_allowed' : 'link_invalid',
      });
      await saveSession(req);
      renderVerdict(req, res, v);
    };
    if (!verdict.ok) return refuse(verdict);
    if (!(await verdict.consume())) return refuse({ ok: false, code: 'magic_link_invalid', user: verdict.user, rule: verdict.rule });
    const { user, rule } = verdict;
    const next = safeNext(verdict.next, homeUrl);
    // A `magic` user who enrolled an MFA factor still owes it: the link stands in for the password only.
    if (rule.method === 'magic' && (await ctx.users.facts(user.id)).hasMfa) {
      const handler = methods().mfa?.afterPassword;
      if (!handler) throw new LoginError('method_unavailable', 501);
      return handler({ req, typed: user.username, user, rule, next }, res);
    }
    await completeLogin(ctx, req, res, user, rule, next);
  });

  return router;
}
