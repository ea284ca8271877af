// The two-step login page, done on the server: step 1 asks for the username; step 2 depends on the rule (the
// shared flow decides). Unknown names get the same step 2 as a password user, and the rule is resolved again at
// every step. A POST that carries a password belongs to the password method (src/password/).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import { logout } from '../http/auth.ts';
import { flash, saveSession } from '../http/session.ts';
import { loginBody, MAX_NAME, renderLoginPage } from './page.ts';

const loginQuery = z.object({
  username: z.string().max(MAX_NAME).optional().catch(undefined),
  next: z.string().max(2048).optional().catch(undefined),
  start: z.string().optional().catch(undefined),
});

export function loginRoutes(ctx: Context): Router {
  const home = ctx.config.loginRedirectUrl;

  /** Step 2 for a typed name: whatever the shared flow says the rule's method does first. */
  async function stepTwo(req: Request, res: Response, typed: string, next: string): Promise<void> {
    // No rule could send this name anywhere but the password form: reading the user would change nothing.
    if (await ctx.rules.passwordFormForEveryone()) return ctx.flow.identified({ req, typed, user: null, rule: null, next }, res);
    const user = await ctx.users.findForLogin(typed);
    let { rule } = await ctx.rules.resolve(user, typed);
    // An unknown address in a domain routed to magic links or SSO gets that domain's step 2 (which then sends
    // nothing / provisions nobody), so step 2 never tells whether the account exists.
    if (!user && !rule && typed.includes('@')) {
      const asEmail = (await ctx.rules.resolveAsEmail(typed)).rule;
      if (asEmail && ctx.flow.steps(asEmail.method)?.first === 'own') rule = asEmail;
    }
    await ctx.flow.identified({ req, typed, user, rule, next }, res);
  }

  const showLogin: RequestHandler = async (req, res) => {
    const q = loginQuery.parse(req.query);
    const next = safeNext(q.next, home);
    const username = (q.username ?? '').trim();
    if (!req.user && username && q.start === 'true') return stepTwo(req, res, username, next);
    renderLoginPage(ctx, req, res, { step: 'username', username, next });
  };

  const submitUsername: RequestHandler = async (req, res, nextFn) => {
    const body = loginBody.parse(req.body ?? {});
    const typed = body.username.trim();
    const next = safeNext(body.next, home);
    if (!typed) return renderLoginPage(ctx, req, res, { step: 'username', username: '', next }, { status: 400, errors: ['username_required'] });
    if (typed.length > MAX_NAME) return renderLoginPage(ctx, req, res, { step: 'username', username: '', next }, { status: 400, errors: ['username_too_long'] });
    // With a password, this is the password method's step.
    if (body.password !== undefined) return nextFn();
    await stepTwo(req, res, typed, next);
  };

  const showLogout: RequestHandler = (req, res) => ctx.renderer.render(req, res, 'logout', {});

  const submitLogout: RequestHandler = async (req, res) => {
    await logout(ctx, req);
    flash(req, 'success', 'You have been logged out.');
    await saveSession(req);
    res.redirect(303, ctx.config.logoutRedirectUrl ?? `${req.baseUrl}/login/`);
  };

  return Router().get('/login', showLogin).post('/login', submitUsername).get('/logout', showLogout).post('/logout', submitLogout);
}
