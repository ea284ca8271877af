// The SSO strategy's public types, apart from its class: the class's declaration needs passport-strategy's types,
// which hosts need not install.
import type { Request } from 'express';
import type { AuthStrategy } from '../contract.ts';

export interface WorkosSsoStrategyOptions {
  /** The absolute URL WorkOS sends the browser back to (the route this strategy runs on). Default: the current route. */
  callbackUrl?: string | ((req: Request) => string);
}

/** Per-request options: `passport.authenticate('workos-login-sso', { username })`. */
export interface WorkosSsoAuthenticateOptions {
  /** Who is logging in (else `username` from the query or the form). */
  username?: string;
}

/**
 * WorkOS SSO as a Passport strategy (`login.strategies.sso()`): starts the login for `username`, then handles the
 * callback on the same route (or `callbackUrl`).
 */
export interface WorkosSsoStrategy extends AuthStrategy<WorkosSsoAuthenticateOptions> {}
