// Sending a link or a code: the per-recipient and per-IP limits, the provider, the pending state in this session,
// then the `sendMagicLink` event. Nothing is stored or emitted unless every WorkOS call succeeded (nothing half-done).
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { Context } from '../context.ts';
import { clientIp, publicUser, ruleRef } from '../context.ts';
import { Throttle } from '../http/rate-limit.ts';
import type { IssueInput, MagicLinkProviderImpl } from './provider.ts';
import { setCodePending, setPending, type MagicMethod } from './state.ts';

export class MagicLinkSender {
  private readonly perEmail: Throttle;
  private readonly perIp: Throttle;

  constructor(
    private readonly ctx: Context,
    readonly provider: MagicLinkProviderImpl,
  ) {
    const { sendsPerEmail, sendsPerIp } = ctx.config.magicLink;
    this.perEmail = new Throttle(ctx.limiters('magic-email', sendsPerEmail), sendsPerEmail.points);
    this.perIp = new Throttle(ctx.limiters('magic-ip', sendsPerIp), sendsPerIp.points);
  }

  /** Counts one send for this client IP and recipient; false when either is over its limit. */
  async allowed(req: Request, recipient: string): Promise<boolean> {
    if (!(await this.perIp.take(clientIp(req)))) return false;
    return this.perEmail.take(recipient.trim().toLowerCase().slice(0, 320));
  }

  /** Whether people type a code (Magic Auth) rather than open a link. */
  get usesCodes(): boolean {
    return this.provider.name === 'workos-magic-auth';
  }

  async send(input: IssueInput & { typed: string }): Promise<void> {
    const { req, user, rule, method, next, typed } = input;
    const issued = await this.provider.issue(input);
    const expiresAt = this.ctx.now() + this.ctx.config.magicLink.ttlSeconds * 1000;
    if (issued.kind === 'link') {
      setPending(req, { provider: this.provider.name, method, nonce: issued.nonce, userId: user.id, ruleId: rule.id, next, expiresAt });
    } else {
      setCodePending(req, { method, nonce: randomBytes(16).toString('base64url'), typed, userId: user.id, ruleId: rule.id, next, expiresAt });
    }
    const appDelivers = this.provider.name === 'local' || this.ctx.config.magicLink.sendCustomEmail;
    if (appDelivers && this.ctx.events.listenerCount('sendMagicLink') === 0) {
      // Never the link or code itself: logs must not carry secrets.
      this.ctx.config.logger.error(
        `express-workos-login: a magic ${issued.kind} for user ${user.id} was not delivered: listen to "sendMagicLink" and email it ` +
          `(the ${this.provider.name === 'local' ? 'local provider always needs' : 'sendCustomEmail setting means'} your listener)`,
      );
    }
    const delivery = issued.kind === 'link' ? { kind: 'link' as const, link: issued.link } : { kind: 'code' as const, code: issued.code, link: issued.page };
    this.ctx.events.emit('sendMagicLink', { user: publicUser(user), rule: ruleRef(rule)!, expiresAt: new Date(expiresAt), ...delivery });
  }

  /**
   * Code providers: a stand-in pending code when nobody got one (unknown address, not a magic user, throttled), so
   * that the code page and its answers are the same whether or not an account exists.
   */
  standIn(req: Request, typed: string, next: string, method: MagicMethod = 'magic'): void {
    if (!this.usesCodes) return;
    const expiresAt = this.ctx.now() + this.ctx.config.magicLink.ttlSeconds * 1000;
    setCodePending(req, { method, nonce: randomBytes(16).toString('base64url'), typed, userId: null, ruleId: null, next, expiresAt });
  }
}
