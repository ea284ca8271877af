// Safe express-session options: HttpOnly, SameSite=Lax, Secure and the `__Host-` prefix on https, an idle
// timeout by rolling cookie, and no session until something is stored in it.
import type { SessionOptions, Store } from 'express-session';

export interface RecommendedSessionInput {
  /** One secret or several (the first signs, all verify: rotate by prepending). */
  secret: string | string[];
  /** A shared store (Redis, your database) when you run more than one instance. */
  store?: Store;
  /** Your public origin; https turns on Secure and the `__Host-` cookie name. */
  baseUrl: string;
  /** Idle timeout of the cookie (seconds); the library also enforces it on the server. Default 1800. */
  idleTimeoutSeconds?: number;
}

export function recommendedSessionOptions(input: RecommendedSessionInput): SessionOptions {
  const https = new URL(input.baseUrl).protocol === 'https:';
  return {
    name: https ? '__Host-sid' : 'sid',
    secret: input.secret,
    store: input.store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: https,
      path: '/',
      maxAge: (input.idleTimeoutSeconds ?? 1800) * 1000,
    },
  };
}
