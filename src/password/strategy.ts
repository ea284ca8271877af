// The passport-local strategy behind the password step. It counts the attempt (per account and per IP) before
// anything depends on the account, resolves the rule again on the server (so the method cannot be downgraded by
// posting to the password form) and costs one bcrypt compare on every path.
//
// Inside the router it runs with `partial: true` and hands every outcome to the shared flow. A host can put it on
// its own route (`passport.use('name', login.strategies.password())`): there it succeeds only when the password completes
// the login, and fails with `second_step_required` for users whose rule owes another step (MFA, a link).
import type { Request } from 'express';
import { Strategy as LocalStrategy } from 'passport-local';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { auditContext, publicUser } from '../context.ts';
import { nextStep } from '../core/steps.ts';
import { LoginThrottle } from '../http/rate-limit.ts';
import type { PasswordOutcome, PasswordStrategy as PublicPasswordStrategy, PasswordStrategyOptions } from './types.ts';

export type { PasswordOutcome, PasswordStrategyOptions } from './types.ts';

export const PASSWORD_STRATEGY = 'workos-login-password';

// Repeated or over-long fields arrive as arrays or huge strings: they can never match, so they become empty ones.
// Built once: building a zod schema costs more than parsing with it, and this runs on every password POST.
const field = z.string().max(4096).catch('');

export class PasswordStrategy extends LocalStrategy implements PublicPasswordStrategy {
  constructor(ctx: Context, options: PasswordStrategyOptions = {}) {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false }, (req: Request, username: unknown, password: unknown, done) => {
      verify(ctx, req, field.parse(username).trim(), field.parse(password), options).then(
        // Passport passes `user`/`info` through untouched.
        (outcome) => (outcome.ok ? done(null, publicUser(outcome.user) as Express.User, outcome as never) : done(null, false, outcome as never)),
        done,
      );
    });
    this.name = PASSWORD_STRATEGY;
  }
}

async function verify(ctx: Context, req: Request, typed: string, password: string, options: PasswordStrategyOptions): Promise<PasswordOutcome> {
  const outcome = await checkPassword(ctx, req, typed, password);
  if (!outcome.ok || options.partial) return outcome;
  const step = nextStep(ctx.flow.steps(outcome.rule.method), 'first', await ctx.users.facts(outcome.user));
  return step.kind === 'done' ? outcome : { ...outcome, ok: false, reason: 'second_step_required' };
}

export async function checkPassword(ctx: Context, req: Request, typed: string, password: string): Promise<PasswordOutcome> {
  const user = await ctx.users.findForLogin(typed);
  const account = LoginThrottle.accountKey(typed, user?.id);
  const ip = auditContext(req).ip;
  // Counted before the compare: a burst of parallel guesses cannot slip past the limit.
  const retryAfter = await ctx.throttle.begin(account, ip);
  if (retryAfter > 0) return { ok: false, reason: 'throttled', typed, user: null, rule: null, retryAfter };
  const { rule } = await ctx.rules.resolve(user, typed);
  const steps = rule ? ctx.flow.steps(rule.method) : null;
  if (user && rule && steps?.first !== 'password') {
    // Still pay for a compare: the refusal must not be faster than a wrong password.
    await ctx.hasher.verify(password, null);
    return { ok: false, reason: 'method_not_allowed', typed, user, rule };
  }
  const valid = await ctx.hasher.verify(password, user?.passwordHash);
  if (!user || !valid) return { ok: false, reason: 'invalid_credentials', typed, user, rule };
  if (!rule) return { ok: false, reason: 'no_rule', typed, user, rule };
  await ctx.throttle.succeeded(account, ip);
  // Hashes made at a lower cost are upgraded while the password is at hand.
  if (ctx.hasher.needsRehash(user.passwordHash!)) await ctx.users.recordLogin(user.id, await ctx.hasher.hash(password));
  return { ok: true, typed, user, rule };
}
