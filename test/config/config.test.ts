// workosLogin(config) validates its options once, at start-up: a coded ConfigError whose message names each
// bad key, WorkOS credentials from the environment as a fallback, and the caller's object left untouched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, isWorkosLoginError, WorkosLoginError, workosLogin, type WorkosLoginConfig } from '../../src/index.ts';
import { parseConfig } from '../../src/config.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let dir: string;
const quiet = { info() {}, warn() {}, error() {} };
const base = (): WorkosLoginConfig => ({ prisma: db.prisma, baseUrl: 'https://app.example.com', password: { bcryptCost: 4 }, logger: quiet });

beforeAll(async () => {
  db = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'ewl-config-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** The ConfigError `workosLogin(input)` throws. */
function configError(input: unknown): ConfigError {
  let caught: unknown;
  try {
    workosLogin(input as WorkosLoginConfig);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err).toBeInstanceOf(WorkosLoginError);
  expect(isWorkosLoginError(err)).toBe(true);
  expect(err.code).toBe('config_invalid');
  expect(err.name).toBe('ConfigError');
  expect(err.message).toMatch(/^express-workos-login: /);
  return err;
}

const PRISMA_MESSAGE =
  "prisma: expected the host's PrismaClient, generated from a schema that includes prisma/workos-login.prisma (models user, group, loginRule, mfaFactor, ssoIdentity, passwordResetToken)";

describe('a valid config', () => {
  it('builds the router and fills the defaults', () => {
    const login = workosLogin(base());
    expect(login.config).toMatchObject({
      baseUrl: 'https://app.example.com',
      emailLookup: false,
      usernameLookup: true,
      password: { bcryptCost: 4, minLength: 8, resetTtlSeconds: 3600, resetLimit: { points: 5, durationSeconds: 3600 } },
      mfa: { smsTemplate: 'Your authentication code is {{code}}', maxAttempts: 5, pendingTtlSeconds: 600 },
      magicLink: { sendCustomEmail: false, provider: 'local', ttlSeconds: 600 },
      sso: { autoUpdate: true, jitUsername: 'email', stateTtlSeconds: 600 },
      activeUserFilter: { isActive: true },
      loginRedirectUrl: '/accounts/profile/',
      loginUrl: '/accounts/login/',
      templateDirs: [],
      rateLimit: { store: 'memory' },
    });
  });

  it('database.timeoutMs: 10 s by default; a value outside 100 to 120000 ms fails at start-up naming the key', () => {
    expect(workosLogin(base()).config.database).toEqual({ timeoutMs: 10_000 });
    expect(workosLogin({ ...base(), database: { timeoutMs: 2500 } }).config.database.timeoutMs).toBe(2500);
    for (const timeoutMs of [0, 50, 120_001, 1.5]) {
      expect(configError({ ...base(), database: { timeoutMs } }).issues.join('\n')).toMatch(/^database\.timeoutMs: /m);
    }
    expect(configError({ ...base(), database: { queryTimeoutMs: 1000 } }).issues.join('\n')).toMatch(/database.*queryTimeoutMs/);
  });

  it('normalises baseUrl to its origin', () => {
    expect(workosLogin({ ...base(), baseUrl: 'HTTPS://App.Example.COM/' }).config.baseUrl).toBe('https://app.example.com');
    expect(workosLogin({ ...base(), baseUrl: 'http://localhost:3000' }).config.baseUrl).toBe('http://localhost:3000');
  });

  it('accepts an existing template directory and an SMS template function', () => {
    const fn = (u: { username: string }) => `Hi ${u.username}, your code is {{code}}`;
    const login = workosLogin({ ...base(), templateDirs: [dir], mfa: { smsTemplate: fn } });
    expect(login.config.templateDirs).toEqual([dir]);
    expect(login.config.mfa.smsTemplate).toBe(fn);
  });

  it('accepts rateLimit.store "database" with the library\'s schema', () => {
    const login = workosLogin({ ...base(), rateLimit: { store: 'database' } });
    expect(login.config.rateLimit.store).toBe('database');
  });

  it('returns a frozen config', () => {
    const login = workosLogin(base());
    expect(Object.isFrozen(login.config)).toBe(true);
    expect(Object.isFrozen(login.config.workos)).toBe(true);
  });
});

describe('ConfigError names each bad key', () => {
  it('config must be an object', () => {
    for (const input of [undefined, null, 'config', 42]) {
      expect(configError(input).message).toBe('express-workos-login: config must be an object (see README "Configuration")');
    }
  });

  it('missing prisma', () => {
    const { prisma: _p, ...rest } = base();
    const err = configError(rest);
    expect(err.issues).toEqual([PRISMA_MESSAGE]);
    expect(err.message).toBe(`express-workos-login: invalid config:\n  - ${PRISMA_MESSAGE}`);
  });

  it('prisma that is not a Prisma client', () => {
    expect(configError({ ...base(), prisma: {} }).issues).toEqual([PRISMA_MESSAGE]);
    expect(configError({ ...base(), prisma: 'postgres://localhost/db' }).issues).toEqual([PRISMA_MESSAGE]);
  });

  it('a Prisma client whose schema lacks the library\'s models', () => {
    const p = db.prisma;
    // A client-shaped object without the mfaFactor/ssoIdentity/passwordResetToken delegates.
    const partial = { $transaction: p.$transaction.bind(p), user: p.user, group: p.group, loginRule: p.loginRule };
    expect(configError({ ...base(), prisma: partial }).issues).toEqual([PRISMA_MESSAGE]);
  });

  it('missing baseUrl', () => {
    const { baseUrl: _b, ...rest } = base();
    const err = configError(rest);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^baseUrl: /);
  });

  it('baseUrl that is not a URL', () => {
    expect(configError({ ...base(), baseUrl: 'app.example.com' }).issues).toEqual(['baseUrl: Invalid URL']);
  });

  it('baseUrl that is not http(s)', () => {
    expect(configError({ ...base(), baseUrl: 'ftp://app.example.com' }).issues).toEqual(['baseUrl: must be an http(s) URL']);
  });

  it.each(['https://app.example.com/app', 'https://app.example.com/?x=1', 'https://app.example.com/#top'])('baseUrl with a path, query or hash: %s', (baseUrl) => {
    expect(configError({ ...base(), baseUrl }).issues).toEqual(['baseUrl: must be an origin such as https://app.example.com']);
  });

  // Threat: a misconfigured post-login redirect becomes an open redirect for every login.
  it.each(['//evil.com', 'https://evil.com', '/\\evil.com', 'javascript:alert(1)', 'profile'])('loginRedirectUrl %j', (loginRedirectUrl) => {
    expect(configError({ ...base(), loginRedirectUrl }).issues).toEqual(['loginRedirectUrl: must be a same-origin path starting with /']);
  });

  it('logoutRedirectUrl and loginUrl are checked the same way', () => {
    expect(configError({ ...base(), logoutRedirectUrl: '//evil.com', loginUrl: 'https://evil.com/login' }).issues).toEqual([
      'logoutRedirectUrl: must be a same-origin path starting with /',
      'loginUrl: must be a same-origin path starting with /',
    ]);
  });

  it('mfa.smsTemplate without {{code}}', () => {
    expect(configError({ ...base(), mfa: { smsTemplate: 'Your code is {code}' } }).issues).toEqual(['mfa.smsTemplate: must contain {{code}}']);
  });

  it('mfa.smsTemplate that is neither a string nor a function', () => {
    const issues = configError({ ...base(), mfa: { smsTemplate: 42 } }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^mfa\.smsTemplate: /);
  });

  it('an unknown key', () => {
    const err = configError({ ...base(), loginRedirectURL: '/home' });
    expect(err.issues).toEqual(['(config): Unrecognized key: "loginRedirectURL"']);
    expect(err.message).toContain('loginRedirectURL');
  });

  it('an unknown nested key', () => {
    expect(configError({ ...base(), workos: { apiKey: 'sk_x', secret: 'x' } }).issues).toEqual(['workos: Unrecognized key: "secret"']);
  });

  it('both lookups false', () => {
    expect(configError({ ...base(), usernameLookup: false, emailLookup: false }).issues).toEqual(['usernameLookup: usernameLookup or emailLookup must be true']);
  });

  it('usernameLookup false alone (emailLookup defaults to false)', () => {
    expect(configError({ ...base(), usernameLookup: false }).issues).toEqual(['usernameLookup: usernameLookup or emailLookup must be true']);
    expect(workosLogin({ ...base(), usernameLookup: false, emailLookup: true }).config.emailLookup).toBe(true);
  });

  it('templateDirs that do not exist or are not directories', () => {
    const file = join(dir, 'not-a-dir.txt');
    writeFileSync(file, 'x');
    expect(configError({ ...base(), templateDirs: [dir, join(dir, 'missing'), file] }).issues).toEqual([
      'templateDirs.1: is not a directory',
      'templateDirs.2: is not a directory',
    ]);
  });

  it.each([3, 16, 10.5, '12'])('password.bcryptCost out of range or not an integer: %j', (bcryptCost) => {
    const issues = configError({ ...base(), password: { bcryptCost } }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^password\.bcryptCost: /);
  });

  it('accepts password.bcryptCost at both ends of the range', () => {
    expect(workosLogin({ ...base(), password: { bcryptCost: 4 } }).config.password.bcryptCost).toBe(4);
    expect(workosLogin({ ...base(), password: { bcryptCost: 15 } }).config.password.bcryptCost).toBe(15);
  });

  it('an unknown rateLimit store', () => {
    const issues = configError({ ...base(), rateLimit: { store: 'mongo' } }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^rateLimit\.store: /);
  });

  it('rateLimit.store "database" with a client that lacks the RateLimiterFlexible model', () => {
    // The real client, seen through a view that hides one model (as a host schema without it would).
    const withoutLimiterModel = new Proxy(db.prisma, {
      get: (target, key) => (key === 'rateLimiterFlexible' ? undefined : Reflect.get(target, key)),
      has: (target, key) => key !== 'rateLimiterFlexible' && Reflect.has(target, key),
    });
    expect(typeof (withoutLimiterModel as unknown as Record<string, unknown>).rateLimiterFlexible).toBe('undefined');
    // The same client shape is fine with the default memory store.
    expect(workosLogin({ ...base(), prisma: withoutLimiterModel }).config.rateLimit.store).toBe('memory');
    const err = configError({ ...base(), prisma: withoutLimiterModel, rateLimit: { store: 'database' } });
    expect(err.issues).toEqual(['rateLimit.store: the RateLimiterFlexible model is missing from the Prisma client']);
    expect(err.message).toContain('rateLimit.store: "database" needs the RateLimiterFlexible model from prisma/workos-login.prisma');
  });

  it('a logger without the three methods', () => {
    expect(configError({ ...base(), logger: { info() {} } }).issues).toEqual(['logger: expected an object with info, warn and error functions']);
  });

  it('session timeouts that contradict each other', () => {
    expect(configError({ ...base(), session: { idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 600 } }).issues).toEqual([
      'session.absoluteTimeoutSeconds: must not be shorter than idleTimeoutSeconds',
    ]);
  });

  it('several bad keys at once: every one is named', () => {
    const err = configError({ baseUrl: 'nope', password: { bcryptCost: 99 }, loginRedirectUrl: '//evil.com', mfa: { smsTemplate: 'no code' }, extra: true });
    expect(err.issues.map((i) => i.split(':')[0])).toEqual(['prisma', 'baseUrl', 'password.bcryptCost', 'mfa.smsTemplate', 'loginRedirectUrl', '(config)']);
    for (const key of ['prisma', 'baseUrl', 'mfa.smsTemplate', 'loginRedirectUrl', 'password.bcryptCost', 'extra']) expect(err.message).toContain(key);
  });
});

describe('WorkOS credentials', () => {
  const input = () => ({ prisma: db.prisma, baseUrl: 'https://app.example.com' });

  it('fall back to WORKOS_API_KEY and WORKOS_CLIENT_ID from the environment', () => {
    const c = parseConfig(input(), { WORKOS_API_KEY: 'sk_test_env', WORKOS_CLIENT_ID: 'client_env' });
    expect(c.workos.apiKey).toBe('sk_test_env');
    expect(c.workos.clientId).toBe('client_env');
  });

  it('come from the config first', () => {
    const c = parseConfig({ ...input(), workos: { apiKey: 'sk_test_cfg', clientId: 'client_cfg' } }, { WORKOS_API_KEY: 'sk_test_env', WORKOS_CLIENT_ID: 'client_env' });
    expect(c.workos).toMatchObject({ apiKey: 'sk_test_cfg', clientId: 'client_cfg', timeoutMs: 10_000 });
  });

  it('mix: one from the config, the other from the environment', () => {
    const c = parseConfig({ ...input(), workos: { clientId: 'client_cfg' } }, { WORKOS_API_KEY: 'sk_test_env', WORKOS_CLIENT_ID: 'client_env' });
    expect(c.workos.apiKey).toBe('sk_test_env');
    expect(c.workos.clientId).toBe('client_cfg');
  });

  it('stay unset when neither gives them, and empty variables count as unset', () => {
    expect(parseConfig(input(), {}).workos).toMatchObject({ apiKey: undefined, clientId: undefined });
    expect(parseConfig(input(), { WORKOS_API_KEY: '', WORKOS_CLIENT_ID: '' }).workos).toMatchObject({ apiKey: undefined, clientId: undefined });
  });

  it('an empty string in the config is refused, not silently replaced by the environment', () => {
    expect(() => parseConfig({ ...input(), workos: { apiKey: '' } }, { WORKOS_API_KEY: 'sk_test_env' })).toThrow(ConfigError);
  });

  it('workosLogin reads process.env', () => {
    vi.stubEnv('WORKOS_API_KEY', 'sk_test_process');
    vi.stubEnv('WORKOS_CLIENT_ID', 'client_process');
    const login = workosLogin(base());
    expect(login.config.workos.apiKey).toBe('sk_test_process');
    expect(login.config.workos.clientId).toBe('client_process');
  });
});

describe('the caller\'s object', () => {
  function deepFreeze<T>(value: T): T {
    if (value && typeof value === 'object' && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const child of Object.values(value)) deepFreeze(child);
    }
    return value;
  }

  const plainParts = () => ({
    baseUrl: 'https://App.Example.com/',
    password: { bcryptCost: 4 },
    emailLookup: true,
    loginRedirectUrl: '/home/',
    activeUserFilter: { isActive: true, groups: { some: { name: 'Staff' } } },
    templateDirs: [dir],
    workos: { clientId: 'client_cfg' },
    sso: { callbackUrl: 'https://app.example.com/accounts/callback/sso/' },
    session: { idleTimeoutSeconds: 600 },
    rateLimit: { store: 'memory' as const, perAccount: { points: 5, durationSeconds: 60 } },
  });

  it('is never written to (deep-frozen input works, and equals its copy afterwards)', () => {
    const parts = deepFreeze(plainParts());
    const logger = deepFreeze({ info() {}, warn() {}, error() {} });
    const input = Object.freeze({ prisma: db.prisma, logger, ...parts });
    const login = workosLogin(input);
    expect(login.config.baseUrl).toBe('https://app.example.com');
    expect(login.config.workos.timeoutMs).toBe(10_000);
    expect(login.config.session).toEqual({ idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 43_200 });
    expect(parts).toEqual(plainParts());
    expect(Object.keys(input).sort()).toEqual(['prisma', 'logger', ...Object.keys(plainParts())].sort());
  });

  it('is not written to when validation fails either', () => {
    const parts = deepFreeze({ ...plainParts(), password: { bcryptCost: 99 } });
    configError(Object.freeze({ prisma: db.prisma, logger: quiet, ...parts }));
    expect(parts).toEqual({ ...plainParts(), password: { bcryptCost: 99 } });
  });

  it('later changes to it do not reach the validated config', () => {
    const input = { prisma: db.prisma, logger: quiet, ...plainParts() };
    const login = workosLogin(input);
    input.loginRedirectUrl = '//evil.com';
    input.session.idleTimeoutSeconds = 1;
    input.rateLimit.perAccount.points = 100;
    input.templateDirs.push('/nonexistent');
    input.workos.clientId = 'changed';
    expect(login.config.loginRedirectUrl).toBe('/home/');
    expect(login.config.session.idleTimeoutSeconds).toBe(600);
    expect(login.config.rateLimit.perAccount.points).toBe(5);
    expect(login.config.templateDirs).toEqual([dir]);
    expect(login.config.workos.clientId).toBe('client_cfg');
  });
});

describe('the validated config', () => {
  it('is frozen all the way down: no option can be changed after start-up', () => {
    const login = workosLogin(base());
    const config = login.config as unknown as { mfa: { maxAttempts: number }; password: { resetLimit: { points: number } }; rateLimit: { perIp: { points: number } } };
    expect(() => {
      config.mfa.maxAttempts = 1000;
    }).toThrow(TypeError);
    expect(() => {
      config.password.resetLimit.points = 1000;
    }).toThrow(TypeError);
    expect(() => {
      config.rateLimit.perIp.points = 1000;
    }).toThrow(TypeError);
    expect(login.config.mfa.maxAttempts).toBe(5);
  });

  it('keeps host objects as given and never freezes them (the logger, a template function)', () => {
    const logger = { info() {}, warn() {}, error() {} };
    const fn = () => 'code {{code}}';
    const login = workosLogin({ ...base(), logger, mfa: { smsTemplate: fn } });
    expect(login.config.logger).toBe(logger);
    expect(Object.isFrozen(logger)).toBe(false);
    expect(login.config.mfa.smsTemplate).toBe(fn);
  });
});

describe('keys that moved into a method section in 0.2', () => {
  const warnings: string[] = [];
  const logger = { info() {}, warn: (m: string) => warnings.push(m), error() {} };

  it('are still accepted, put in their new place, with one warning naming each move', () => {
    warnings.length = 0;
    const input = {
      prisma: db.prisma,
      baseUrl: 'https://app.example.com',
      logger,
      bcryptCost: 5,
      passwordMinLength: 12,
      passwordResetTtlSeconds: 600,
      smsMfaTemplate: 'code {{code}}',
      sendCustomEmail: true,
      autoUpdate: false,
      jitUsername: 'idp_id',
      callbackUrls: { sso: 'https://app.example.com/sso/cb/', magic: 'https://app.example.com/magic/cb/' },
      rateLimit: { passwordReset: { points: 2, durationSeconds: 60 } },
    };
    const { config } = workosLogin(input as unknown as WorkosLoginConfig);
    expect(config.password).toMatchObject({ bcryptCost: 5, minLength: 12, resetTtlSeconds: 600, resetLimit: { points: 2, durationSeconds: 60 } });
    expect(config.mfa.smsTemplate).toBe('code {{code}}');
    expect(config.magicLink).toMatchObject({ sendCustomEmail: true, callbackUrl: 'https://app.example.com/magic/cb/' });
    expect(config.sso).toMatchObject({ autoUpdate: false, jitUsername: 'idp_id', callbackUrl: 'https://app.example.com/sso/cb/' });
    expect(warnings).toHaveLength(1);
    for (const moved of ['bcryptCost → password.bcryptCost', 'smsMfaTemplate → mfa.smsTemplate', 'callbackUrls.sso → sso.callbackUrl', 'rateLimit.passwordReset → password.resetLimit']) {
      expect(warnings[0]).toContain(moved);
    }
    expect(warnings[0]).toContain('docs/upgrading.md');
  });

  it('are refused when the new key is given too, naming both', () => {
    const err = configError({ ...base(), bcryptCost: 5 });
    expect(err.issues).toEqual(['bcryptCost: moved to password.bcryptCost; give only password.bcryptCost']);
  });

  it('are still validated in their new place', () => {
    const { password: _p, ...rest } = base();
    expect(configError({ ...rest, bcryptCost: 99 }).issues).toEqual([expect.stringMatching(/^password\.bcryptCost: /)]);
  });
});
