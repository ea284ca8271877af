// Sending a link: the per-recipient and per-IP limits, the provider, the pending state in this session, then the
// `sendMagicLink` event. Nothing is stored or emitted unless every WorkOS call succeeded (nothing half-done).
import type { Request } from 'express';
import type { Context } from '../context.ts';
import { clientIp, publicUser, ruleRef } from '../context.ts';
import { Throttle } from '../http/rate-limit.ts';
import type { IssueInput, MagicLinkProviderImpl } from './provider.ts';
import { setPending } from './state.ts';

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

  async send(input: IssueInput): Promise<void> {
    const { req, user, rule, method, next } = input;
    const issued = await this.provider.issue(input);
    setPending(req, {
      provider: this.provider.name,
      method,
      nonce: issued.nonce,
      userId: user.id,
      ruleId: rule.id,
      next,
      expiresAt: this.ctx.now() + this.ctx.config.magicLink.ttlSeconds * 1000,
    });
    const appDelivers = this.provider.name === 'local' || this.ctx.config.magicLink.sendCustomEmail;
    if (appDelivers && this.ctx.events.listenerCount('sendMagicLink') === 0) {
      // Never the link itself: logs must not carry login URLs.
      this.ctx.config.logger.error(
        `express-workos-login: a magic link for user ${user.id} was not delivered: listen to "sendMagicLink" and email it ` +
          `(the ${this.provider.name === 'local' ? 'local provider always needs' : 'sendCustomEmail setting means'} your listener)`,
      );
    }
    this.ctx.events.emit('sendMagicLink', { user: publicUser(user), link: issued.link, rule: ruleRef(rule)! });
  }
}
