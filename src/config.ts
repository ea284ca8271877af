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
    sendCustomEmail: z.boolean().default(false),
    autoUpdate: z.boolean().default(true),
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

export interface ResolvedConfig extends Omit<z.output<typeof configSchema>, 'workos'> {
  workos: z.output<typeof configSchema>['workos'] & { apiKey?: string; clientId?: string };
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
  return Object.freeze({ ...c, workos: Object.freeze(workos) });
}
