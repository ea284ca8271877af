// Safe express-session options: HttpOnly, SameSite=Lax, Secure and the `__Host-` prefix on https, an idle
// timeout by rolling cookie, and no session until something is stored in it.
//
// The input is checked here, at start-up: express-session only notices a missing secret on the first request,
// and then answers every request with a 500.
import type { SessionOptions, Store } from 'express-session';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

export interface RecommendedSessionInput {
  /** One secret or several (the first signs, all verify: rotate by prepending). At least 32 bytes in production. */
  secret: string | string[];
  /** A shared store (Redis, your database) when you run more than one instance. */
  store?: Store;
  /** Your public origin; https turns on Secure and the `__Host-` cookie name. */
  baseUrl: string;
  /** Idle timeout of the cookie (seconds); the library also enforces it on the server. Default 1800. */
  idleTimeoutSeconds?: number;
}

/** Shortest secret accepted when `NODE_ENV=production` (256 bits, as OWASP asks of session-signing keys). */
export const MIN_PRODUCTION_SECRET_BYTES = 32;

function inputSchema(production: boolean) {
  return z.object({
    secret: z
      .union([z.string(), z.array(z.string()).min(1, { error: 'must hold at least one secret' })], { error: 'is required: a random string (e.g. process.env.SESSION_SECRET) or a non-empty array of them' })
      .superRefine((value, ctx) => {
        const secrets = typeof value === 'string' ? [value] : value;
        secrets.forEach((s, i) => {
          const path = typeof value === 'string' ? [] : [i];
          if (s === '') ctx.addIssue({ code: 'custom', path, message: 'must not be empty' });
          else if (production && Buffer.byteLength(s, 'utf8') < MIN_PRODUCTION_SECRET_BYTES) {
            ctx.addIssue({ code: 'custom', path, message: `must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production (e.g. \`openssl rand -base64 48\`)` });
          }
        });
      }),
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://app.example.com' }),
    idleTimeoutSeconds: z.number().int().min(60).optional(),
  });
}

export function recommendedSessionOptions(input: RecommendedSessionInput): SessionOptions {
  const parsed = inputSchema(process.env.NODE_ENV === 'production').safeParse(input ?? {});
  if (!parsed.success) {
    // Like a bad `workosLogin` config: one ConfigError naming each bad key (`secret`, `secret.1`, `baseUrl`).
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new ConfigError(`express-workos-login: invalid recommendedSessionOptions:\n  - ${issues.join('\n  - ')}`, issues);
  }
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
