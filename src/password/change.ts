// Password change for logged-in users: the old password (throttled like a login), then the new one. Other
// sessions end; this one continues under a new id.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Context } from '../context.ts';
import { auditContext, publicUser } from '../context.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { loginRequired } from '../http/auth.ts';
import { LoginThrottle } from '../http/rate-limit.ts';
import { loginState, regenerateSession, saveSession } from '../http/session.ts';
import { changePasswordBody, NewPasswordRules } from './new-password.ts';

export function passwordChangeRoutes(ctx: Context): Router {
  const rules = new NewPasswordRules(ctx);
  const home_url = ctx.config.loginRedirectUrl;
  const loggedIn = loginRequired(ctx, () => ctx.config.loginUrl);

  const showForm: RequestHandler = (req, res) => {
    if (!hasPassword(req)) return refuseWithoutPassword(req, res);
    ctx.renderer.render(req, res, 'password_change_form', { password_hint: rules.hint, home_url });
  };
  // SSO-only and magic-link users never had a password: the form would ask for one they cannot know.
  const hasPassword = (req: Request) => req.user?.hasPassword === true;
  const refuseWithoutPassword = (req: Request, res: Response) =>
    ctx.renderer.render(req, res, 'error', { heading: 'No password to change', error_message: messageFor('password_none'), retry_url: home_url, retry_label: 'Back' }, { status: 403 });

  const submitForm: RequestHandler = async (req, res) => {
    const refuse = (status: number, code: LoginErrorCode) =>
      ctx.renderer.render(req, res, 'password_change_form', { password_hint: rules.hint, home_url }, { status, messages: rules.messages(code) });
    const user = await ctx.users.findActiveById(req.user!.id);
    if (!user) return refuse(401, 'session_expired');
    if (!user.passwordHash) return refuseWithoutPassword(req, res);
    const body = changePasswordBody.parse(req.body ?? {});
    const ip = auditContext(req).ip;
    const account = LoginThrottle.accountKey(user.username, user.id);
    if ((await ctx.throttle.begin(account, ip)) > 0) return refuse(429, 'throttled');
    if (!(await ctx.hasher.verify(body.old_password, user.passwordHash))) return refuse(400, 'password_incorrect');
    await ctx.throttle.succeeded(account, ip);
    const problem = rules.check(body.new_password1, body.new_password2);
    if (problem) return refuse(400, problem);
    const updated = await ctx.users.setPassword(user.id, await ctx.hasher.hash(body.new_password1));
    // Other sessions end (their version is stale); this one continues under a new id and the new version.
    const auth = loginState(req).auth;
    await regenerateSession(req);
    const state = loginState(req);
    state.user = { id: updated.id, v: updated.sessionVersion };
    state.auth = auth ?? { at: ctx.now(), seen: ctx.now() };
    await saveSession(req);
    ctx.events.emit('passwordChanged', { ...auditContext(req), user: publicUser(updated), via: 'change' });
    res.redirect(303, `${req.baseUrl}/password_change/done/`);
  };

  const showDone: RequestHandler = (req, res) => ctx.renderer.render(req, res, 'password_change_done', { home_url });

  return Router().get('/password_change', loggedIn, showForm).post('/password_change', loggedIn, submitForm).get('/password_change/done', loggedIn, showDone);
}
