// Options are validated, normalised and frozen once, when `workosLogin(config)` is called. Every problem
// is reported with its key path; the caller's object is never written to.
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { isSafeNextPath } from './core/next-url.ts';
import type { PrismaLike } from './db/types.ts';

/** Minimal logger interface; `console` fits. */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The user the SMS template function receives. */
export interface SmsTemplateUser {
  id: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** A Redis client accepted by rate-limiter-flexible (ioredis or node-redis with `useRedisPackage`). */
export type RedisLike = object;

const REQUIRED_DELEGATES = ['user', 'group', 'loginRule', 'mfaFactor', 'ssoIdentity', 'passwordResetToken'] as const;

const prismaSchema = z.custom<PrismaLike>(
  (v) =>
    !!v &&
    typeof v === 'object' &&
    typeof (v as { $transaction?: unknown }).$transaction === 'function' &&
    REQUIRED_DELEGATES.every((d) => typeof (v as Record<string, unknown>)[d] === 'object'),
  {
    message: `expected the host's PrismaClient, generated from a schema that includes prisma/workos-login.prisma (models ${REQUIRED_DELEGATES.join(', ')})`,
  },
);

const limit = z
  .object({
    points: z.number().int().min(1).max(100),
    durationSeconds: z.number().int().min(1),
    blockSeconds: z.number().int().min(0).optional(),
  })
  .strict();

const smsTemplate = z.union([
  z.string().refine((s) => s.includes('{{code}}'), { message: 'must contain {{code}}' }),
  z.custom<(user: SmsTemplateUser) => string>((v) => typeof v === 'function', { message: 'expected a string or a function' }),
]);

/** Magic links (methods `magic` and `email_mfa`): who makes the link, how long it lives, how often it may be sent. */
const magicLinkSchema = z
  .object({
    /**
     * `workos`: a WorkOS passwordless session (WorkOS emails it unless `sendCustomEmail`). `local`: the library's own
     * single-use token, delivered by your `sendMagicLink` listener. Default: `workos` when the WorkOS keys are set,
     * otherwise `local`.
     */
    provider: z.enum(['workos', 'local']).optional(),
    /** How long a link may be used, at most 10 minutes (a WorkOS link is cut to this by the session-bound state). */
    ttlSeconds: z.number().int().min(60).max(600).default(600),
    /** Sends per recipient (the user's email, or the typed name for unknown users). */
    sendsPerEmail: limit.default({ points: 5, durationSeconds: 900 }),
    /** Sends per client IP. */
    sendsPerIp: limit.default({ points: 30, durationSeconds: 900 }),
  })
  .strict();

/** The `mfa` method: how long the half-login after the password lives, and how codes and SMS sends are limited. */
const mfaSchema = z
  .object({
    /** Time from the correct password to the second factor. */
    pendingTtlSeconds: z.number().int().min(60).max(3600).default(600),
    /** Wrong codes (or recovery codes) before the half-login ends and the password is asked again. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** Code attempts per user, across half-logins and app instances (reset on success). */
    verifyLimit: limit.default({ points: 10, durationSeconds: 900, blockSeconds: 900 }),
    /** SMS codes sent per user (per client IP: ten times as many, at most 100). */
    smsSendLimit: limit.default({ points: 5, durationSeconds: 3600 }),
  })
  .strict();

const pathString = z.string().refine((s) => isSafeNextPath(s), { message: 'must be a same-origin path starting with /' });

export const configSchema = z
  .object({
    prisma: prismaSchema,
    baseUrl: z
      .string()
      .url()
      .transform((s) => new URL(s))
      .refine((u) => u.protocol === 'http:' || u.protocol === 'https:', { message: 'must be an http(s) URL' })
      .refine((u) => u.pathname === '/' && !u.search && !u.hash, { message: 'must be an origin such as https://app.example.com' })
      .transform((u) => u.origin),
    emailLookup: z.boolean().default(false),
    usernameLookup: z.boolean().default(true),
    smsMfaTemplate: smsTemplate.default('Your authentication code is {{code}}'),
    mfa: mfaSchema.default({
      pendingTtlSeconds: 600,
      maxAttempts: 5,
      verifyLimit: { points: 10, durationSeconds: 900, blockSeconds: 900 },
      smsSendLimit: { points: 5, durationSeconds: 3600 },
    }),
    sendCustomEmail: z.boolean().default(false),
    magicLink: magicLinkSchema.default({
      ttlSeconds: 600,
      sendsPerEmail: { points: 5, durationSeconds: 900 },
      sendsPerIp: { points: 30, durationSeconds: 900 },
    }),
    autoUpdate: z.boolean().default(true),
    /** SSO (methods sso, GoogleOAuth, MicrosoftOAuth). */
    sso: z
      .object({
        /** How long a started SSO login may take until the callback (the `state` expires then). */
        stateTtlSeconds: z.number().int().min(60).max(3600).default(600),
      })
      .strict()
      .default({ stateTtlSeconds: 600 }),
    jitUsername: z.enum(['email', 'idp_id', 'id']).default('email'),
    activeUserFilter: z.record(z.string(), z.unknown()).default({ isActive: true }),
    loginRedirectUrl: pathString.default('/accounts/profile/'),
    logoutRedirectUrl: pathString.optional(),
    /** Where `requireLogin` sends anonymous visitors: the login page under your mount point. */
    loginUrl: pathString.default('/accounts/login/'),
    /** A short notice shown on every page (e.g. "Using the local WorkOS emulator"). */
    notice: z.string().max(500).optional(),
    workos: z
      .object({
        apiKey: z.string().min(1).optional(),
        clientId: z.string().min(1).optional(),
        apiHostname: z.string().min(1).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        https: z.boolean().optional(),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .default({ timeoutMs: 10_000 }),
    callbackUrls: z
      .object({ sso: z.string().url().optional(), magic: z.string().url().optional() })
      .strict()
      .default({}),
    templateDirs: z
      .array(z.string().refine((d) => existsSync(d) && statSync(d).isDirectory(), { message: 'is not a directory' }))
      .default([]),
    bcryptCost: z.number().int().min(4).max(15).default(12),
    passwordResetTtlSeconds: z.number().int().min(60).max(86_400).default(3600),
    passwordMinLength: z.number().int().min(1).max(128).default(8),
    session: z
      .object({
        idleTimeoutSeconds: z.number().int().min(60).default(1800),
        absoluteTimeoutSeconds: z.number().int().min(60).default(43_200),
      })
      .strict()
      .default({ idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 43_200 }),
    rateLimit: z
      .object({
        store: z
          .union([
            z.literal('memory'),
            z.literal('database'),
            z.object({ redis: z.custom<RedisLike>((v) => !!v && typeof v === 'object', { message: 'expected a Redis client' }), useRedisPackage: z.boolean().default(false) }).strict(),
          ])
          .default('memory'),
        keyPrefix: z.string().default('ewl'),
        perAccount: limit.default({ points: 10, durationSeconds: 900, blockSeconds: 900 }),
        perIp: limit.default({ points: 100, durationSeconds: 900, blockSeconds: 900 }),
        passwordReset: limit.default({ points: 5, durationSeconds: 3600 }),
      })
      .strict()
      .default({
        store: 'memory',
        keyPrefix: 'ewl',
        perAccount: { points: 10, durationSeconds: 900, blockSeconds: 900 },
        perIp: { points: 100, durationSeconds: 900, blockSeconds: 900 },
        passwordReset: { points: 5, durationSeconds: 3600 },
      }),
    logger: z
      .custom<Logger>(
        (v) => !!v && typeof v === 'object' && ['info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
        { message: 'expected an object with info, warn and error functions' },
      )
      .default(console),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.emailLookup && !c.usernameLookup) {
      ctx.addIssue({ code: 'custom', path: ['usernameLookup'], message: 'usernameLookup or emailLookup must be true' });
    }
    if (c.session.absoluteTimeoutSeconds < c.session.idleTimeoutSeconds) {
      ctx.addIssue({ code: 'custom', path: ['session', 'absoluteTimeoutSeconds'], message: 'must not be shorter than idleTimeoutSeconds' });
    }
  });

/** What hosts pass to `workosLogin()`. */
export type WorkosLoginConfig = z.input<typeof configSchema>;

export interface ResolvedConfig extends Omit<z.output<typeof configSchema>, 'workos' | 'magicLink'> {
  workos: z.output<typeof configSchema>['workos'] & { apiKey?: string; clientId?: string };
  /** `provider` is always set once resolved (see `magicLinkSchema`). */
  magicLink: Omit<z.output<typeof magicLinkSchema>, 'provider'> & { provider: 'workos' | 'local' };
}

export function parseConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): Readonly<ResolvedConfig> {
  if (!input || typeof input !== 'object') {
    throw new ConfigError('express-workos-login: config must be an object (see README "Configuration")');
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`express-workos-login: invalid config:\n  - ${issues.join('\n  - ')}`, issues);
  }
  const c = result.data;
  const workos = {
    ...c.workos,
    apiKey: c.workos.apiKey ?? (env.WORKOS_API_KEY || undefined),
    clientId: c.workos.clientId ?? (env.WORKOS_CLIENT_ID || undefined),
  };
  const hasWorkos = !!(workos.apiKey && workos.clientId);
  if (c.magicLink.provider === 'workos' && !hasWorkos) {
    const issue = 'magicLink.provider: "workos" needs workos.apiKey and workos.clientId (or WORKOS_API_KEY / WORKOS_CLIENT_ID); use "local" to send links without WorkOS';
    throw new ConfigError(`express-workos-login: invalid config:\n  - ${issue}`, [issue]);
  }
  // Out of the box: WorkOS sends the email when it is configured (as django-workos does); without it only our own links can work.
  const magicLink = Object.freeze({ ...c.magicLink, provider: c.magicLink.provider ?? (hasWorkos ? 'workos' : 'local') });
  return Object.freeze({
    ...c,
    // Plain data is copied and frozen, so neither the host nor the library can change it after start-up.
    // The Prisma client, logger, Redis client and template function are used as given.
    activeUserFilter: deepFreeze(structuredClone(c.activeUserFilter)),
    session: deepFreeze({ ...c.session }),
    callbackUrls: deepFreeze({ ...c.callbackUrls }),
    sso: deepFreeze({ ...c.sso }),
    templateDirs: deepFreeze([...c.templateDirs]),
    rateLimit: Object.freeze({ ...c.rateLimit, perAccount: deepFreeze({ ...c.rateLimit.perAccount }), perIp: deepFreeze({ ...c.rateLimit.perIp }), passwordReset: deepFreeze({ ...c.rateLimit.passwordReset }) }),
    workos: Object.freeze(workos),
    magicLink,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
