// Asking for a link: step 2 of the `magic` rule, the "email me a login link" form, and the second step of
// `email_mfa` after a correct password. Unknown, inactive and non-magic users get the same answer and no mail.
import type { Request, Response } from 'express';
import type { Context, KnownAttempt, LoginAttempt } from '../context.ts';
import { reportLoginFailure } from '../http/audit.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';
import { LoginError, messageFor } from '../errors.ts';
import { regenerateSession, saveSession } from '../http/session.ts';
import { isLoginUnavailable } from '../rules/store.ts';
import type { MagicLinkSender } from './send.ts';

export interface MagicPages {
  complete(req: Request): string;
  request(req: Request): string;
}

export const pages: MagicPages = {
  complete: (req) => `${req.baseUrl}/complete/`,
  request: (req) => `${req.baseUrl}/magic/`,
};

export class MagicLinkRequests {
  constructor(
    private readonly ctx: Context,
    private readonly sender: MagicLinkSender,
  ) {}

  /** The user a "send me a link" form names: a login name first, else a unique active email address. */
  async findRecipient(typed: string): Promise<UserRow | null> {
    const user = await this.ctx.users.findForLogin(typed);
    if (user || !typed.includes('@')) return user;
    const byEmail = await this.ctx.users.findActiveByEmail(typed, 2);
    return byEmail.length === 1 ? byEmail[0]! : null;
  }

  /**
   * Sends a link when `user` is active and its rule is `magic`; otherwise nothing. Every case, throttled included,
   * answers the same redirect to `complete/`.
   */
  async request(req: Request, res: Response, typed: string, next: string, known?: { user: UserRow | null; rule: LoginRule | null }): Promise<void> {
    const user = known ? known.user : await this.findRecipient(typed);
    const rule = known ? known.rule : user ? await this.currentRule(user) : null;
    const failed = (reason: 'throttled' | 'method_not_allowed') => reportLoginFailure(this.ctx, req, { typed, user, rule, reason });
    let sent = false;
    // Counted before anything depends on the account, so a throttled answer says nothing about it either.
    if (!(await this.sender.allowed(req, user?.email || typed))) failed('throttled');
    else if (user && rule?.method === 'magic') {
      if (user.email) {
        await this.sender.send({ req, user, rule, method: 'magic', next, typed });
        sent = true;
      } else this.ctx.config.logger.warn(`express-workos-login: user ${user.id} logs in by magic link but has no email address; nothing was sent`);
    } else if (user) {
      // A password, MFA, email_mfa (password first) or SSO user never gets a link from this form.
      failed('method_not_allowed');
    }
    if (!sent) this.sender.standIn(req, typed, next);
    await saveSession(req);
    res.redirect(303, pages.complete(req));
  }

  /** The user's rule; null while a broken rule blocks it (logged by the rule store): the answer must not differ. */
  private async currentRule(user: UserRow): Promise<LoginRule | null> {
    try {
      return (await this.ctx.rules.resolve(user, user.username)).rule;
    } catch (err) {
      if (isLoginUnavailable(err)) return null;
      throw err;
    }
  }

  /** `magic` step 2. A GET (`?username=…&start=true`) only shows a button: mail is sent by a POST, never by a GET. */
  async start(attempt: LoginAttempt, res: Response): Promise<void> {
    const { req, typed, user, rule, next } = attempt;
    if (req.method !== 'POST') {
      this.ctx.renderer.render(req, res, 'magic_link_request', { action: pages.request(req), username: typed, next, fixed: true, ttl_minutes: this.ttlMinutes(), by_code: this.sender.usesCodes });
      return;
    }
    await this.request(req, res, typed, next, { user, rule });
  }

  /** `email_mfa` after a correct password: a pending half-login (no `req.user`) and the link as the second factor. */
  async afterFirstFactor(attempt: KnownAttempt, res: Response): Promise<void> {
    const { req, user, rule, next } = attempt;
    if (rule.method !== 'email_mfa') throw new LoginError('method_not_allowed', 403);
    if (!user.email) {
      this.ctx.config.logger.warn(`express-workos-login: user ${user.id} needs an email link after the password but has no email address`);
      throw new LoginError('method_unavailable', 501);
    }
    if (!(await this.sender.allowed(req, user.email))) {
      reportLoginFailure(this.ctx, req, { typed: attempt.typed, user, rule, reason: 'throttled' });
      // After a correct password this reveals nothing new, so say what happened.
      this.ctx.renderer.render(req, res, 'error', { heading: 'Too many login links', error_message: messageFor('magic_link_throttled') }, { status: 429 });
      return;
    }
    // A new session id for the half-login (as the mfa method does); the full login regenerates it again.
    await regenerateSession(req);
    await this.sender.send({ req, user, rule, method: 'email_mfa', next, typed: attempt.typed });
    await saveSession(req);
    res.redirect(303, pages.complete(req));
  }

  ttlMinutes(): number {
    return Math.ceil(this.ctx.config.magicLink.ttlSeconds / 60);
  }
}
