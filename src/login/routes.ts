// The two-step login page, done on the server: step 1 asks for the username; step 2 depends on the rule.
// Unknown names get the same step 2 as a password user, and the rule is resolved again at every step.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context, LoginAttempt, MethodRegistry } from '../context.ts';
import { auditContext, ruleRef } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import { usesPassword } from '../core/rules.ts';
import { LoginError, messageFor } from '../errors.ts';
import { completeLogin, logout } from '../http/auth.ts';
import { LoginThrottle } from '../http/rate-limit.ts';
import { flash, saveSession } from '../http/session.ts';
import { PASSWORD_STRATEGY, rememberLookup, type PasswordOutcome } from '../password/strategy.ts';

const MAX_NAME = 320;

const loginQuery = z.object({
  username: z.string().max(MAX_NAME).optional().catch(undefined),
  next: z.string().max(2048).optional().catch(undefined),
  start: z.string().optional().catch(undefined),
});

const loginBody = z.object({
  // Over-long names are kept (and refused with their own message) so the form can say what is wrong.
  username: z.string().default('').catch(''),
  // Passwords are checked exactly as typed; one past the cap can never match, so it becomes an empty (failing) one.
  password: z.string().max(4096).optional().catch(''),
  next: z.string().max(2048).default('').catch(''),
});

export function loginRoutes(ctx: Context, methods: MethodRegistry): Router {
  const router = Router();
  const homeUrl = ctx.config.loginRedirectUrl;

  const renderLogin = (req: Request, res: Response, data: { step: 'username' | 'password'; username: string; next: string }, status = 200, error?: string) =>
    ctx.renderer.render(req, res, 'login', { ...data, home_url: homeUrl }, { status, messages: error ? [{ level: 'error', text: error }] : [] });

  /** Step 2 for a typed name: the password form, or the rule's own method. */
  async function stepTwo(req: Request, res: Response, typed: string, next: string): Promise<void> {
    const user = await ctx.users.findForLogin(typed);
    let { rule } = await ctx.rules.resolve(user, typed);
    // An unknown address in a domain routed to magic links or SSO gets that domain's step 2 (which then sends
    // nothing / provisions nobody), so step 2 never tells whether the account exists.
    if (!user && !rule && typed.includes('@')) {
      const asEmail = (await ctx.rules.resolveAsEmail(typed)).rule;
      if (asEmail && !usesPassword(asEmail.method)) rule = asEmail;
    }
    // Unknown names and users without a rule see the password form: the answer never depends on existence.
    if (!rule || usesPassword(rule.method)) return renderLogin(req, res, { step: 'password', username: typed, next });
    const handler = methods[rule.method]?.start;
    if (!handler) throw new LoginError('method_unavailable', 501);
    const attempt: LoginAttempt = { req, typed, user, rule, next };
    await handler(attempt, res);
  }

  router.get('/login', async (req, res) => {
    const q = loginQuery.parse(req.query);
    const next = safeNext(q.next, homeUrl);
    const username = (q.username ?? '').trim();
    if (!req.user && username && q.start === 'true') return stepTwo(req, res, username, next);
    renderLogin(req, res, { step: 'username', username, next });
  });

  router.post('/login', async (req, res, nextFn) => {
    const body = loginBody.parse(req.body ?? {});
    const typed = body.username.trim();
    const next = safeNext(body.next, homeUrl);
    if (!typed) return renderLogin(req, res, { step: 'username', username: '', next }, 400, messageFor('username_required'));
    if (typed.length > MAX_NAME) return renderLogin(req, res, { step: 'username', username: '', next }, 400, messageFor('username_too_long'));
    if (body.password === undefined) return stepTwo(req, res, typed, next);

    const ip = auditContext(req).ip;
    const user = await ctx.users.findForLogin(typed);
    rememberLookup(req, user);
    const account = LoginThrottle.accountKey(typed, user?.id);
    const retryAfter = await ctx.throttle.begin(account, ip);
    if (retryAfter > 0) {
      ctx.events.emit('loginFailed', { ...auditContext(req), username: typed, user: null, rule: null, method: null, reason: 'throttled' });
      res.set('Retry-After', String(retryAfter));
      return renderLogin(req, res, { step: 'password', username: typed, next }, 429, messageFor('throttled'));
    }

    // passport-local reads req.body.username; give it the trimmed name the rule was resolved for.
    req.body = { ...req.body, username: typed, password: body.password };
    ctx.passport.authenticate(PASSWORD_STRATEGY, { session: false }, (err: unknown, success: PasswordOutcome | false, failure?: { outcome?: PasswordOutcome }) => {
      if (err) return nextFn(err);
      // A missing password never reaches the strategy: passport-local fails it with no outcome.
      const outcome: PasswordOutcome = success || failure?.outcome || { ok: false, reason: 'invalid_credentials', user: null, rule: null };
      void afterPassword(req, res, typed, next, outcome, account).catch(nextFn);
    })(req, res, nextFn);
  });

  async function afterPassword(req: Request, res: Response, typed: string, next: string, outcome: PasswordOutcome, account: string): Promise<void> {
    const audit = auditContext(req);
    if (!outcome.ok) {
      ctx.events.emit('loginFailed', {
        ...audit,
        username: typed,
        user: outcome.user ? { id: outcome.user.id, username: outcome.user.username } : null,
        rule: ruleRef(outcome.rule),
        method: outcome.rule?.method ?? null,
        reason: outcome.reason,
      });
      if (outcome.reason === 'method_not_allowed') {
        return renderLogin(req, res, { step: 'username', username: typed, next }, 403, messageFor('method_not_allowed'));
      }
      return renderLogin(req, res, { step: 'password', username: typed, next }, 401, messageFor('invalid_credentials'));
    }
    await ctx.throttle.succeeded(account, auditContext(req).ip);
    const { user, rule } = outcome;
    if (ctx.hasher.needsRehash(user.passwordHash!)) {
      await ctx.users.recordLogin(user.id, await ctx.hasher.hash(String(req.body.password)));
    }
    const facts = await ctx.users.facts(user.id);
    // A second factor applies to the mfa/email_mfa rules and to anyone who already enrolled a factor.
    const secondStep = rule.method === 'email_mfa' ? 'email_mfa' : rule.method === 'mfa' || facts.hasMfa ? 'mfa' : null;
    if (secondStep) {
      const handler = methods[secondStep]?.afterPassword;
      if (!handler) throw new LoginError('method_unavailable', 501);
      return handler({ req, typed, user, rule, next }, res);
    }
    await completeLogin(ctx, req, res, user, rule, next);
  }

  router.get('/logout', (req, res) => ctx.renderer.render(req, res, 'logout', {}));

  router.post('/logout', async (req, res) => {
    await logout(ctx, req);
    flash(req, 'success', 'You have been logged out.');
    await saveSession(req);
    res.redirect(303, ctx.config.logoutRedirectUrl ?? `${req.baseUrl}/login/`);
  });

  return router;
}
