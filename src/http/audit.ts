// The one place a `loginFailed` event is built: every method reports its failures through here.
import type { Request } from 'express';
import type { Context } from '../context.ts';
import { auditContext, ruleRef } from '../context.ts';
import type { LoginRule } from '../core/rules.ts';
import type { LoginFailReason } from '../errors.ts';
import type { UserId } from '../user-types.ts';

export interface LoginFailure {
  /** What the person typed (or the profile's email, for SSO). */
  typed: string;
  /** Known users only; the response never says which. */
  user: { readonly id: UserId; readonly username: string } | null;
  rule: LoginRule | null;
  reason: LoginFailReason;
}

export function reportLoginFailure(ctx: Pick<Context, 'events' | 'config'>, req: Request, failure: LoginFailure): void {
  const { typed, user, rule, reason } = failure;
  if (reason === 'no_rule') {
    // The person is told their password is wrong; the operator must learn that the rules are missing.
    ctx.config.logger.warn(
      `express-workos-login: login refused (no_rule): no login rule applies to user ${String(user?.id ?? '(unknown)')}; add one that targets them, or the default rule with \`await seedDefaultRule(prisma)\``,
    );
  }
  ctx.events.emit('loginFailed', {
    ...auditContext(req),
    username: typed,
    user: user ? { id: user.id, username: user.username } : null,
    rule: ruleRef(rule),
    method: rule?.method ?? null,
    reason,
  });
}
