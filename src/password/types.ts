// The password strategy's public types, apart from its class: the class's declaration needs passport-local's
// types, which hosts need not install.
import type { AuthStrategy } from '../contract.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';

/** What the strategy decided, handed to Passport as `info` (and, on success inside the router, as `user`). */
export type PasswordOutcome =
  | { ok: true; typed: string; user: UserRow; rule: LoginRule }
  | {
      ok: false;
      reason: 'invalid_credentials' | 'method_not_allowed' | 'no_rule' | 'throttled' | 'second_step_required';
      typed: string;
      user: UserRow | null;
      rule: LoginRule | null;
      /** Seconds until the next attempt may be made (throttled only). */
      retryAfter?: number;
    };

export interface PasswordStrategyOptions {
  /** Succeed after a correct password even when the rule owes another step (the router runs that step). */
  partial?: boolean;
}

/**
 * passport-local, bound to the router's rules and data: reads `username` and `password` from the form body and
 * succeeds only when the password completes the login (`login.strategies.password()`).
 */
export interface PasswordStrategy extends AuthStrategy {}
