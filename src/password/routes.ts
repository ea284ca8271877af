// Password reset by email (single-use, expiring, hashed tokens; never says whether an address exists;
// no auto-login) and password change for logged-in users. Both end the user's other sessions.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { auditContext, publicUser } from '../context.ts';
import { usesPassword } from '../core/rules.ts';
import { asDb } from '../db/types.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { loginRequired } from '../http/auth.ts';
import { LoginThrottle, Throttle } from '../http/rate-limit.ts';
import { regenerateSession, loginState, saveSession, type SerializedUser } from '../http/session.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';

const MAX_PASSWORD = 1024;

const newPasswordBody = z.object({
  new_password1: z.string().max(8192).default(''),
  new_password2: z.string().max(8192).default(''),
});

export function passwordRoutes(ctx: Context): Router {
  const router = Router();
  const db = asDb(ctx.prisma);
  const limit = ctx.config.rateLimit.passwordReset;
  const resetByEmail = new Throttle(ctx.limiters('reset-email', limit), limit.points);
  const resetByIp = new Throttle(ctx.limiters('reset-ip', { ...limit, points: Math.min(100, limit.points * 10) }), Math.min(100, limit.points * 10));
  const passwordHint = `At least ${ctx.config.passwordMinLength} characters. Any characters are allowed.`;
  const homeUrl = ctx.config.loginRedirectUrl;

  function checkNewPassword(p1: string, p2: string): LoginErrorCode | null {
    if (p1 !== p2) return 'password_mismatch';
    if ([...p1].length < ctx.config.passwordMinLength) return 'password_too_short';
    if (p1.length > MAX_PASSWORD) return 'password_too_long';
    return null;
  }
  const errorMessage = (code: LoginErrorCode) => [{ level: 'error', text: code === 'password_too_short' ? `This password is too short. It must contain at least ${ctx.config.passwordMinLength} characters.` : messageFor(code) }];

  // --- reset: ask -------------------------------------------------------------------------------------
  router.get('/password_reset', (req, res) => ctx.renderer.render(req, res, 'password_reset_form', { email: '' }));

  router.post('/password_reset', async (req, res) => {
    const email = z.string().trim().max(320).catch('').parse((req.body as Record<string, unknown>)?.email);
    if (!email || !email.includes('@')) {
      return ctx.renderer.render(req, res, 'password_reset_form', { email }, { status: 400, messages: [{ level: 'error', text: 'Enter a valid email address.' }] });
    }
    const allowed = (await resetByIp.take(auditContext(req).ip)) && (await resetByEmail.take(email.toLowerCase()));
    if (allowed) await sendResetLinks(req, email);
    // Same answer whatever happened: the address may or may not exist, and may be throttled.
    res.redirect(303, `${req.baseUrl}/password_reset/done/`);
  });

  async function sendResetLinks(req: Request, email: string): Promise<void> {
    const users = await ctx.users.findActiveByEmail(email);
    for (const user of users) {
      // Only users whose rule logs in with a password may (re)set one: SSO and magic-link users may not.
      const { rule } = await ctx.rules.resolve(user, user.username);
      if (!rule || !usesPassword(rule.method)) continue;
      const { token, hash } = newToken();
      const expiresAt = new Date(ctx.now() + ctx.config.passwordResetTtlSeconds * 1000);
      await db.$transaction(async (tx) => {
        // A new link invalidates every older one.
        await tx.passwordResetToken.deleteMany({ where: { userId: user.id } });
        await tx.passwordResetToken.create({ data: { userId: user.id, tokenHash: hash, expiresAt } });
      });
      const link = `${ctx.config.baseUrl}${req.baseUrl}/reset/${token}/`;
      ctx.events.emit('sendPasswordReset', { user: publicUser(user), link });
    }
  }

  router.get('/password_reset/done', (req, res) => ctx.renderer.render(req, res, 'password_reset_done', { sent_message: messageFor('reset_sent') }));

  // --- reset: use the link ------------------------------------------------------------------------------
  async function findValidToken(token: unknown) {
    if (!looksLikeToken(token)) return null;
    const row = await db.passwordResetToken.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!row || row.usedAt || row.expiresAt.getTime() <= ctx.now()) return null;
    const user = await ctx.users.findActiveById(row.userId);
    if (!user) return null;
    // The rule may have changed since the link was sent (e.g. the user's domain moved to SSO): check again.
    const { rule } = await ctx.rules.resolve(user, user.username);
    return rule && usesPassword(rule.method) ? { row, user } : null;
  }

  const renderConfirm = (req: Request, res: Response, valid: boolean, status = 200, messages: { level: string; text: string }[] = []) =>
    ctx.renderer.render(
      req,
      res,
      'password_reset_confirm',
      { valid, action: `${req.baseUrl}/reset/${String(req.params.token)}/`, invalid_message: messageFor('reset_invalid'), password_hint: passwordHint },
      { status, noReferrer: true, messages },
    );

  router.get('/reset/done', (req, res) => ctx.renderer.render(req, res, 'password_reset_complete'));

  router.get('/reset/:token', async (req, res) => {
    // GET never consumes the token: mail scanners fetch links.
    const found = await findValidToken(req.params.token);
    renderConfirm(req, res, !!found, found ? 200 : 400);
  });

  router.post('/reset/:token', async (req, res) => {
    const found = await findValidToken(req.params.token);
    if (!found) return renderConfirm(req, res, false, 400);
    const body = newPasswordBody.parse(req.body ?? {});
    const problem = checkNewPassword(body.new_password1, body.new_password2);
    if (problem) return renderConfirm(req, res, true, 400, errorMessage(problem));
    const hash = await ctx.hasher.hash(body.new_password1);
    const consumed = await db.$transaction(async (tx) => {
      // Atomic single use: only one request can flip usedAt from null.
      const { count } = await tx.passwordResetToken.updateMany({
        where: { id: found.row.id, usedAt: null, expiresAt: { gt: new Date(ctx.now()) } },
        data: { usedAt: new Date(ctx.now()) },
      });
      if (count !== 1) return false;
      await tx.user.update({ where: { id: found.user.id }, data: { passwordHash: hash, sessionVersion: { increment: 1 } } });
      await tx.passwordResetToken.deleteMany({ where: { userId: found.user.id, id: { not: found.row.id } } });
      return true;
    });
    if (!consumed) return renderConfirm(req, res, false, 400);
    // Whoever proved they own the address may log in again at once: clear failed-login blocks.
    await ctx.throttle.account.reset(LoginThrottle.accountKey(found.user.username, found.user.id));
    ctx.events.emit('passwordChanged', { ...auditContext(req), user: publicUser(found.user), via: 'reset' });
    res.redirect(303, `${req.baseUrl}/reset/done/`);
  });

  // --- change (logged in) ---------------------------------------------------------------------------------
  const loggedIn = loginRequired(ctx, () => ctx.config.loginUrl);

  router.get('/password_change', loggedIn, (req, res) =>
    ctx.renderer.render(req, res, 'password_change_form', { password_hint: passwordHint, home_url: homeUrl }),
  );

  router.post('/password_change', loggedIn, async (req, res) => {
    const render = (status: number, code: LoginErrorCode) =>
      ctx.renderer.render(req, res, 'password_change_form', { password_hint: passwordHint, home_url: homeUrl }, { status, messages: errorMessage(code) });
    const userId = (req.user as { id: number }).id;
    const user = await ctx.users.findActiveById(userId);
    if (!user) return render(401, 'session_expired');
    const body = z.object({ old_password: z.string().max(8192).default('') }).and(newPasswordBody).parse(req.body ?? {});
    const ip = auditContext(req).ip;
    const account = LoginThrottle.accountKey(user.username, user.id);
    if ((await ctx.throttle.begin(account, ip)) > 0) return render(429, 'throttled');
    if (!(await ctx.hasher.verify(body.old_password, user.passwordHash))) return render(400, 'password_incorrect');
    await ctx.throttle.succeeded(account, ip);
    const problem = checkNewPassword(body.new_password1, body.new_password2);
    if (problem) return render(400, problem);
    const updated = await ctx.users.setPassword(user.id, await ctx.hasher.hash(body.new_password1));
    // Other sessions end (their version is stale); this one continues under a new id and the new version.
    const auth = loginState(req).auth;
    await regenerateSession(req);
    req.session.passport = { user: { id: updated.id, v: updated.sessionVersion } satisfies SerializedUser };
    loginState(req).auth = auth ?? { at: ctx.now(), seen: ctx.now() };
    await saveSession(req);
    ctx.events.emit('passwordChanged', { ...auditContext(req), user: publicUser(updated), via: 'change' });
    res.redirect(303, `${req.baseUrl}/password_change/done/`);
  });

  router.get('/password_change/done', loggedIn, (req, res) => ctx.renderer.render(req, res, 'password_change_done', { home_url: homeUrl }));

  return router;
}
