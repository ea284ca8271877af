// Password reset by email: single-use, expiring, hashed tokens; the answer never says whether an address exists;
// no auto-login. A reset ends the user's other sessions.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { auditContext, publicUser } from '../context.ts';
import type { TokenRow, UserRow } from '../db/ports.ts';
import { messageFor } from '../errors.ts';
import type { Message } from '../http/render.ts';
import { LoginThrottle, Throttle } from '../http/rate-limit.ts';
import { isLoginUnavailable } from '../rules/store.ts';
import { NewPasswordRules, newPasswordBody } from './new-password.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';
import { TokenPruner } from '../login/cleanup.ts';

export function passwordResetRoutes(ctx: Context): Router {
  const tokens = ctx.repos.tokens.passwordReset;
  const limit = ctx.config.password.resetLimit;
  const ipPoints = Math.min(100, limit.points * 10);
  const resetByEmail = new Throttle(ctx.limiters('reset-email', limit), limit.points);
  const resetByIp = new Throttle(ctx.limiters('reset-ip', { ...limit, points: ipPoints }), ipPoints);
  const rules = new NewPasswordRules(ctx);
  const pruner = new TokenPruner(tokens, ctx, 'password-reset');
  const usesPassword = (method: string) => ctx.flow.steps(method)?.first === 'password';

  async function sendResetLinks(req: Request, email: string): Promise<void> {
    for (const user of await ctx.users.findActiveByEmail(email)) {
      // Only users whose rule logs in with a password may (re)set one: SSO and magic-link users may not. A user
      // whom a broken rule blocks gets nothing, and the answer is the same as for everyone.
      const rule = await ctx.rules.resolve(user, user.username).then(
        (r) => r.rule,
        (err: unknown) => {
          if (isLoginUnavailable(err)) return null;
          throw err;
        },
      );
      if (!rule || !usesPassword(rule.method)) continue;
      const { token, hash } = newToken();
      // A new link invalidates every older one.
      await tokens.issue({ userId: user.id, tokenHash: hash, expiresAt: new Date(ctx.now() + ctx.config.password.resetTtlSeconds * 1000) });
      await pruner.afterIssue();
      ctx.events.emit('sendPasswordReset', { user: publicUser(user), link: `${ctx.config.baseUrl}${req.baseUrl}/reset/${token}/` });
    }
  }

  async function findValidToken(token: unknown): Promise<{ row: TokenRow; user: UserRow } | null> {
    if (!looksLikeToken(token)) return null;
    const row = await tokens.findValid(hashToken(token), new Date(ctx.now()));
    const user = row ? await ctx.users.findActiveById(row.userId) : null;
    if (!row || !user) return null;
    // The rule may have changed since the link was sent (e.g. the user's domain moved to SSO): check again.
    const { rule } = await ctx.rules.resolve(user, user.username);
    return rule && usesPassword(rule.method) ? { row, user } : null;
  }

  const renderConfirm = (req: Request, res: Response, valid: boolean, status = 200, messages: Message[] = []) =>
    ctx.renderer.render(
      req,
      res,
      'password_reset_confirm',
      { valid, action: `${req.baseUrl}/reset/${String(req.params.token)}/`, invalid_message: messageFor('reset_invalid'), password_hint: rules.hint },
      { status, noReferrer: true, messages },
    );

  const showRequestForm: RequestHandler = (req, res) => ctx.renderer.render(req, res, 'password_reset_form', { email: '' });

  const submitRequest: RequestHandler = async (req, res) => {
    const email = z.string().trim().max(320).catch('').parse((req.body as Record<string, unknown> | undefined)?.email);
    if (!email || !email.includes('@')) {
      return ctx.renderer.render(req, res, 'password_reset_form', { email }, { status: 400, messages: [{ level: 'error', text: 'Enter a valid email address.' }] });
    }
    const allowed = (await resetByIp.take(auditContext(req).ip)) && (await resetByEmail.take(email.toLowerCase()));
    if (allowed) await sendResetLinks(req, email);
    // Same answer whatever happened: the address may or may not exist, and may be throttled.
    res.redirect(303, `${req.baseUrl}/password_reset/done/`);
  };

  const showSent: RequestHandler = (req, res) => ctx.renderer.render(req, res, 'password_reset_done', { sent_message: messageFor('reset_sent') });

  const showComplete: RequestHandler = (req, res) => ctx.renderer.render(req, res, 'password_reset_complete');

  const showConfirm: RequestHandler = async (req, res) => {
    // GET never consumes the token: mail scanners fetch links.
    const found = await findValidToken(req.params.token);
    renderConfirm(req, res, !!found, found ? 200 : 400);
  };

  const submitConfirm: RequestHandler = async (req, res) => {
    const found = await findValidToken(req.params.token);
    if (!found) return renderConfirm(req, res, false, 400);
    const body = newPasswordBody.parse(req.body ?? {});
    const problem = rules.check(body.new_password1, body.new_password2);
    if (problem) return renderConfirm(req, res, true, 400, rules.messages(problem));
    const hash = await ctx.hasher.hash(body.new_password1);
    // Atomic single use (only one request can flip usedAt), the new hash, sessions ended, other links deleted.
    const consumed = await tokens.consumeAndSetPassword({ id: found.row.id, userId: found.user.id }, hash, new Date(ctx.now()));
    if (!consumed) return renderConfirm(req, res, false, 400);
    // Whoever proved they own the address may log in again at once: clear failed-login blocks.
    await ctx.throttle.unlock(LoginThrottle.accountKey(found.user.username, found.user.id), auditContext(req).ip);
    ctx.events.emit('passwordChanged', { ...auditContext(req), user: publicUser(found.user), via: 'reset' });
    res.redirect(303, `${req.baseUrl}/reset/done/`);
  };

  return Router()
    .get('/password_reset', showRequestForm)
    .post('/password_reset', submitRequest)
    .get('/password_reset/done', showSent)
    .get('/reset/done', showComplete)
    .get('/reset/:token', showConfirm)
    .post('/reset/:token', submitConfirm);
}
