// Typing a Magic Auth code (provider `workos-magic-auth`): `POST magic/code/` checks it against the code THIS session
// asked for, with at most `magicLink.codeAttempts` wrong codes per sent code (counted in the shared rate-limit store,
// so parallel guesses count too), then hands the login to the shared flow (an enrolled MFA factor may follow).
// Addresses that got no code have a stand-in pending code: the same page, and every code is answered as wrong.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { reportLoginFailure } from '../http/audit.ts';
import { Throttle } from '../http/rate-limit.ts';
import { saveSession } from '../http/session.ts';
import { codeRefusal } from './magic-auth.ts';
import { clearCodePending, readCodePending, type CodePending } from './state.ts';

const codeBody = z.object({ code: z.string().max(64).default('') }).catch({ code: '' });

export const codePages = {
  action: (req: Request) => `${req.baseUrl}/magic/code/`,
};

export function magicCodeRoutes(ctx: Context, requestUrl: (req: Request) => string, ttlMinutes: number): Router {
  const router = Router();
  const { codeAttempts, ttlSeconds } = ctx.config.magicLink;
  const attempts = new Throttle(ctx.limiters('magic-code-attempts', { points: codeAttempts, durationSeconds: ttlSeconds }), codeAttempts);
  const home = ctx.config.loginRedirectUrl;

  /** The code page, with `error` above the form (the form stays while this session has a pending code). */
  function page(req: Request, res: Response, pending: CodePending | null, error?: { code: LoginErrorCode; status: number }): void {
    ctx.renderer.render(
      req,
      res,
      'magic_code',
      {
        action: codePages.action(req),
        sent_message: messageFor('magic_code_sent'),
        second_factor: pending?.method === 'email_mfa',
        pending: !!pending,
        ttl_minutes: ttlMinutes,
        request_url: requestUrl(req),
      },
      error ? { status: error.status, messages: [{ level: 'error', text: messageFor(error.code) }] } : {},
    );
  }

  /** The user's current rule, if it is still the magic/email_mfa rule the code was sent under. */
  async function currentRule(user: UserRow, pending: CodePending): Promise<LoginRule | null> {
    const { rule } = await ctx.rules.resolve(user, user.username);
    return rule && rule.id === pending.ruleId && rule.method === pending.method ? rule : null;
  }

  // "Check your email" is where the code is typed (the same page for everyone, code or stand-in).
  router.get(['/complete', '/magic/code'], (req, res) => page(req, res, readCodePending(req, ctx.now())));

  router.post('/magic/code', async (req, res) => {
    const pending = readCodePending(req, ctx.now());
    const digits = codeBody.parse(req.body ?? {}).code.replace(/[\s-]/g, '');
    const failed = (reason: 'code_invalid' | 'throttled' | 'method_not_allowed', user: UserRow | null = null, rule: LoginRule | null = null) =>
      reportLoginFailure(ctx, req, { typed: pending?.typed ?? '', user, rule, reason });
    const refuse = async (code: LoginErrorCode, status: number, keep: CodePending | null) => {
      if (!keep) clearCodePending(req);
      await saveSession(req);
      page(req, res, keep, { code, status });
    };

    if (!pending) {
      failed('code_invalid');
      return refuse('magic_code_expired', 400, null);
    }
    if (!/^\d{6}$/.test(digits)) return page(req, res, pending, { code: 'magic_code_format', status: 400 });
    // Counted before the check: parallel guesses cannot slip past the limit.
    if ((await attempts.attempt(pending.nonce)) > 0) {
      failed('throttled');
      return refuse('magic_code_attempts', 429, null);
    }
    if (pending.userId === null) {
      failed('code_invalid');
      return refuse('magic_code_invalid', 400, pending);
    }
    const user = await ctx.users.findActiveById(pending.userId);
    const rule = user ? await currentRule(user, pending) : null;
    if (!user || !rule) {
      // Disabled, or moved to another rule, since the code was sent: the code is over (answered like an expired one).
      failed('method_not_allowed', user, rule);
      return refuse('magic_code_expired', 400, null);
    }

    let carrierEmail: string;
    try {
      const result = await ctx.workos.call(
        'userManagement.authenticateWithMagicAuth',
        (sdk) => sdk.userManagement.authenticateWithMagicAuth({ code: digits, email: user.email.trim(), clientId: ctx.workos.clientId }),
        (err) => codeRefusal(err) !== null,
      );
      carrierEmail = result.user.email;
    } catch (err) {
      const refusal = codeRefusal(err);
      if (!refusal) throw err;
      failed('code_invalid', user, rule);
      // A wrong code may be typed again; a used or expired one never works again.
      return refusal === 'invalid_one_time_code' ? refuse('magic_code_invalid', 400, pending) : refuse('magic_code_expired', 400, null);
    }
    // The code proves the mailbox of the WorkOS user it was sent to: that must be this user's address.
    if (carrierEmail.trim().toLowerCase() !== user.email.trim().toLowerCase()) {
      ctx.config.logger.warn(`express-workos-login: a Magic Auth code for user ${user.id} authenticated another address; refused`);
      failed('code_invalid', user, rule);
      return refuse('magic_code_expired', 400, null);
    }
    clearCodePending(req);
    // The code is the first factor of `magic` (an enrolled MFA factor may follow) and the second of `email_mfa`.
    const passed = ctx.flow.steps(rule.method)?.first === 'own' ? 'first' : 'second';
    await ctx.flow.advance({ req, typed: pending.typed || user.username, user, rule, next: safeNext(pending.next, home) }, passed, res);
  });

  return router;
}
