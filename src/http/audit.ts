// The one place a `loginFailed` event is built: every method reports its failures through here.
import type { Request } from 'express';
import type { Context } from '../context.ts';
import { auditContext, ruleRef } from '../context.ts';
import type { LoginRule } from '../core/rules.ts';
import type { LoginFailReason } from '../errors.ts';

export interface LoginFailure {
  /** What the person typed (or the profile's email, for SSO). */
  typed: string;
  /** Known users only; the response never says which. */
  user: { readonly id: number; readonly username: string } | null;
  rule: LoginRule | null;
  reason: LoginFailReason;
}

export function reportLoginFailure(ctx: Pick<Context, 'events'>, req: Request, failure: LoginFailure): void {
  const { typed, user, rule, reason } = failure;
  ctx.events.emit('loginFailed', {
    ...auditContext(req),
    username: typed,
    user: user ? { id: user.id, username: user.username } : null,
    rule: ruleRef(rule),
    method: rule?.method ?? null,
    reason,
  });
}
