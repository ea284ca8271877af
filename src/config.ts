// Options are validated, normalised and frozen once, when `workosLogin(config)` is called. Every problem
// is reported with its key path; the caller's object is never written to.
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { adminConfigSchema } from './admin/config.ts';
import { ConfigError } from './errors.ts';
import { backoffLimitSchema, limitSchema } from './core/limit.ts';
import { isSafeNextPath } from './core/next-url.ts';
import type { PrismaLike } from './db/types.ts';
import { magicLinkConfigSchema, type MagicLinkConfig } from './magic-link/config.ts';
import { mfaConfigSchema } from './mfa/config.ts';
import { passwordConfigSchema } from './password/config.ts';
import { ssoConfigSchema } from './sso/config.ts';

export type { SmsTemplateUser } from './mfa/config.ts';

/** Minimal logger interface; `console` fits. */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
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
    /** A login name may be an exact username. */
    usernameLookup: z.boolean().default(true),
    /** A login name may be an email address (matched ignoring case, when exactly one active user has it). */
    emailLookup: z.boolean().default(false),
    // One section per login method, each declared (with its defaults) in the method's folder.
    password: passwordConfigSchema,
    mfa: mfaConfigSchema,
    magicLink: magicLinkConfigSchema,
    sso: ssoConfigSchema,
    /** The admin pages (off by default): docs/admin.md. */
    admin: adminConfigSchema,
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
      .prefault({}),
    database: z
      .object({
        /**
         * How long one database call of the library (a lookup, a write, a whole transaction) may take before the
         * request ends in the "try again" page: a slow or stuck database must not hold requests open.
         */
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .prefault({}),
    templateDirs: z
      .array(z.string().refine((d) => existsSync(d) && statSync(d).isDirectory(), { message: 'is not a directory' }))
      .default([]),
    session: z
      .object({
        idleTimeoutSeconds: z.number().int().min(60).default(1800),
        absoluteTimeoutSeconds: z.number().int().min(60).default(43_200),
      })
      .strict()
      .prefault({}),
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
        /** Failed logins per account from one client IP, then a block that doubles with each block of the account. */
        perAccountIp: backoffLimitSchema.default({ points: 5, durationSeconds: 900, blockSeconds: 60, maxBlockSeconds: 14_400 }),
        /** Failed logins per account from every IP together (the long-run cap), then a lockout for every IP. */
        perAccount: limitSchema.default({ points: 100, durationSeconds: 86_400, blockSeconds: 86_400 }),
        /** Failed logins per client IP. */
        perIp: limitSchema.default({ points: 100, durationSeconds: 900, blockSeconds: 900 }),
      })
      .strict()
      .prefault({}),
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
  magicLink: MagicLinkConfig;
}

/**
 * Keys of 0.1 that moved into a method's section in 0.2: still accepted (with a warning) when the new key is not
 * also given. `docs/upgrading.md` lists them.
 */
export const MOVED_KEYS: readonly (readonly [from: string, to: string])[] = [
  ['bcryptCost', 'password.bcryptCost'],
  ['passwordMinLength', 'password.minLength'],
  ['passwordResetTtlSeconds', 'password.resetTtlSeconds'],
  ['rateLimit.passwordReset', 'password.resetLimit'],
  ['smsMfaTemplate', 'mfa.smsTemplate'],
  ['sendCustomEmail', 'magicLink.sendCustomEmail'],
  ['callbackUrls.magic', 'magicLink.callbackUrl'],
  ['autoUpdate', 'sso.autoUpdate'],
  ['jitUsername', 'sso.jitUsername'],
  ['callbackUrls.sso', 'sso.callbackUrl'],
];

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => !!v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** A copy of the input with moved keys put in their new places; `moved` and `clashes` say what happened. */
function moveKeys(input: Plain): { config: Plain; moved: string[]; clashes: string[] } {
  const config: Plain = { ...input };
  const moved: string[] = [];
  const clashes: string[] = [];
  for (const [from, to] of MOVED_KEYS) {
    const [fromParent, fromKey] = from.includes('.') ? (from.split('.') as [string, string]) : [null, from];
    const source = fromParent ? config[fromParent] : config;
    if (!isPlain(source) || !(fromKey in source) || source[fromKey] === undefined) continue;
    const [section, key] = to.split('.') as [string, string];
    const target = config[section] === undefined ? {} : config[section];
    if (!isPlain(target)) continue; // the section itself is wrong: the schema reports it
    if (key in target) {
      clashes.push(`${from}: moved to ${to}; give only ${to}`);
      continue;
    }
    config[section] = { ...target, [key]: source[fromKey] };
    if (fromParent) {
      const { [fromKey]: _gone, ...rest } = source;
      config[fromParent] = rest;
    } else delete config[fromKey];
    moved.push(`${from} → ${to}`);
  }
  if (isPlain(config.callbackUrls) && Object.keys(config.callbackUrls).length === 0) delete config.callbackUrls;
  return { config, moved, clashes };
}

export function parseConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): Readonly<ResolvedConfig> {
  if (!isPlain(input)) {
    throw new ConfigError('express-workos-login: config must be an object (see README "Configuration")');
  }
  const { config: moved, moved: movedKeys, clashes } = moveKeys(input);
  if (clashes.length) throw ConfigError.of(clashes);
  const result = configSchema.safeParse(moved);
  if (!result.success) {
    throw ConfigError.of(result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
  }
  const c = result.data;
  if (movedKeys.length) {
    c.logger.warn(`express-workos-login: these config keys moved (see docs/upgrading.md): ${movedKeys.join(', ')}`);
  }
  const workos = {
    ...c.workos,
    apiKey: c.workos.apiKey ?? (env.WORKOS_API_KEY || undefined),
    clientId: c.workos.clientId ?? (env.WORKOS_CLIENT_ID || undefined),
  };
  const hasWorkos = !!(workos.apiKey && workos.clientId);
  if ((c.magicLink.provider === 'workos' || c.magicLink.provider === 'workos-magic-auth') && !hasWorkos) {
    throw ConfigError.of([
      `magicLink.provider: "${c.magicLink.provider}" needs workos.apiKey and workos.clientId (or WORKOS_API_KEY / WORKOS_CLIENT_ID); use "local" to send links without WorkOS`,
    ]);
  }
  // Out of the box: WorkOS sends the email when it is configured (as django-workos does); without it only our own links can work.
  const magicLink = { ...c.magicLink, provider: c.magicLink.provider ?? (hasWorkos ? 'workos' : 'local') } as const;
  // Plain data is copied and frozen all the way down, so neither the host nor the library can change it after
  // start-up. Host objects (the Prisma client, logger, Redis client, template function) are used as given.
  return deepFreeze(structuredCopy({ ...c, workos, magicLink }));
}

/** Plain data: arrays and plain objects without methods (a logger object literal is a host object, not data). */
const isData = (v: unknown): v is Plain | unknown[] => Array.isArray(v) || (isPlain(v) && !Object.values(v).some((x) => typeof x === 'function'));

/** Copies plain data; anything else (clients, loggers, functions, class instances) is kept by reference. */
function structuredCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(structuredCopy) as T;
  if (isData(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCopy(v)])) as T;
  return value;
}

function deepFreeze<T>(value: T): T {
  if (isData(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
