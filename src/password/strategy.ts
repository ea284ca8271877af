// The passport-local strategy behind the password step. It resolves the rule again on the server, so the
// method cannot be downgraded by posting to the password form, and costs one bcrypt compare on every path.
import { Strategy as LocalStrategy } from 'passport-local';
import type { Request } from 'express';
import type { Context } from '../context.ts';
import { usesPassword, type LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';

export const PASSWORD_STRATEGY = 'workos-login-password';

/** What the strategy hands back on success (Passport's `user`) or failure (its `info`). */
export type PasswordOutcome =
  | { ok: true; user: UserRow; rule: LoginRule }
  | { ok: false; reason: 'invalid_credentials' | 'method_not_allowed' | 'no_rule'; user: UserRow | null; rule: LoginRule | null };

// The login route already looked the user up (to key the throttle); the strategy reuses that answer.
const lookups = new WeakMap<Request, UserRow | null>();

/** Records the user the typed name refers to for this request, so the strategy does not query again. */
export function rememberLookup(req: Request, user: UserRow | null): void {
  lookups.set(req, user);
}

export function passwordStrategy(ctx: Context): LocalStrategy {
  return new LocalStrategy(
    { usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false },
    (req: Request, username: string, password: string, done) => {
      checkPassword(ctx, username, password, lookups.get(req)).then(
        // Passport passes `user`/`info` through untouched to our authenticate callback.
        (outcome) => (outcome.ok ? done(null, outcome as unknown as Express.User) : done(null, false, { message: outcome.reason, outcome } as never)),
        (err: unknown) => done(err),
      );
    },
  );
}

export async function checkPassword(ctx: Context, typed: string, password: string, known?: UserRow | null): Promise<PasswordOutcome> {
  const user = known !== undefined ? known : await ctx.users.findForLogin(typed);
  const { rule } = await ctx.rules.resolve(user, typed);
  if (user && rule && !usesPassword(rule.method)) {
    // Still pay for a compare: the refusal must not be faster than a wrong password.
    await ctx.hasher.verify(password, null);
    return { ok: false, reason: 'method_not_allowed', user, rule };
  }
  const valid = await ctx.hasher.verify(password, user?.passwordHash);
  if (!user || !valid) return { ok: false, reason: 'invalid_credentials', user, rule };
  if (!rule) return { ok: false, reason: 'no_rule', user, rule };
  return { ok: true, user, rule };
}
