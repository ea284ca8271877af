// One harness for HTTP tests: a real database, the real router behind express-session, supertest agents,
// an event log, a log of the logger's lines, a controllable clock and, when asked for, the WorkOS emulator on
// that clock. Every test app, whatever its options, is built by `createTestApp` and ended by `close()`.
import express, { type Express } from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { expect } from 'vitest';
import { createWorkOSEmulator, type DirectoryInput, type WorkOSEmulator } from '../../src/emulator/index.ts';
import {
  hashPassword,
  workosLogin,
  type LoginRuleInput,
  type WorkosLoginConfig,
  type WorkosLoginEvents,
  type WorkosLoginOptions,
  type WorkosLoginRouter,
} from '../../src/index.ts';
import { createTestDb, type TestDb, type TestPrisma } from './db.ts';

export type Agent = ReturnType<typeof supertest.agent>;

export const TEST_BCRYPT_COST = 4;
export const BASE_URL = 'http://app.test';
/** The password of every test user that has one, unless a test needs a particular password. */
export const PASSWORD = 'correct horse battery';

export const SSO_CALLBACK = `${BASE_URL}/accounts/callback/sso/`;
export const MAGIC_CALLBACK = `${BASE_URL}/accounts/callback/magic/`;
export const TEST_CLIENT_ID = 'client_test';
export const TEST_API_KEY = 'sk_test_app';

/**
 * The emulator's directory for tests: one client that allow-lists our SSO and magic-link callbacks (SSO first: it
 * is the default redirect URI, used by IdP-initiated logins), the organization Acme (SAML), a second organization
 * (Globex), a SAML connection without organization, and Google and Microsoft OAuth.
 */
export function testDirectory(): DirectoryInput {
  return {
    clients: [{ clientId: TEST_CLIENT_ID, apiKey: TEST_API_KEY, redirectUris: [SSO_CALLBACK, MAGIC_CALLBACK] }],
    organizations: [
      { id: 'org_acme', name: 'Acme', domains: ['acme.test'] },
      { id: 'org_globex', name: 'Globex', domains: ['globex.test'] },
    ],
    connections: [
      {
        id: 'conn_acme_saml',
        type: 'OktaSAML',
        name: 'Acme Okta',
        organizationId: 'org_acme',
        users: [
          { idpId: 'acme-ada', email: 'ada@acme.test', firstName: 'Ada', lastName: 'Lovelace', groups: ['Engineering'], rawAttributes: { title: 'Engineer' } },
          { idpId: 'acme-bob', email: 'bob@acme.test', firstName: 'Bob', lastName: 'Builder' },
        ],
      },
      {
        id: 'conn_globex_saml',
        type: 'GenericSAML',
        name: 'Globex SAML',
        organizationId: 'org_globex',
        users: [{ idpId: 'globex-gina', email: 'gina@globex.test', firstName: 'Gina', lastName: 'Globex' }],
      },
      {
        id: 'conn_solo_saml',
        type: 'GenericSAML',
        name: 'Solo SAML (no organization)',
        users: [{ idpId: 'solo-sam', email: 'sam@solo.test', firstName: 'Sam', lastName: 'Solo' }],
      },
      { id: 'conn_google', type: 'GoogleOAuth', name: 'Google', users: [{ idpId: 'google-gus', email: 'gus@gmail.test', firstName: 'Gus', lastName: 'Google' }] },
      { id: 'conn_microsoft', type: 'MicrosoftOAuth', name: 'Microsoft', users: [{ idpId: 'ms-mia', email: 'mia@outlook.test', firstName: 'Mia', lastName: 'Microsoft' }] },
    ],
  };
}

export interface EventLog {
  all: { name: keyof WorkosLoginEvents; payload: unknown }[];
  of<E extends keyof WorkosLoginEvents>(name: E): WorkosLoginEvents[E][];
}

const LOGGED_EVENTS = [
  'userCreated',
  'sendMagicLink',
  'sendPasswordReset',
  'login',
  'loginFailed',
  'accountThrottled',
  'logout',
  'passwordChanged',
  'mfaEnrolled',
  'mfaReset',
  'mfaChanged',
  'userDeprovisioned',
  'adminChange',
] as const satisfies readonly (keyof WorkosLoginEvents)[];

export interface TestApp {
  app: Express;
  db: TestDb;
  prisma: TestPrisma;
  login: WorkosLoginRouter;
  /** The session store (also when `session` options are given; empty when `session: false`). */
  store: session.MemoryStore;
  events: EventLog;
  /** Every line written through the harness's logger, with its metadata (for "no secrets in logs" checks). */
  logs: string[];
  clock: { now: number; advance(ms: number): void };
  /** The WorkOS emulator when the app was built with `emulator`, else null. */
  emulator: WorkOSEmulator | null;
  agent(): Agent;
  /** Ends what this app started: its emulator and, unless it was handed one, its database. */
  close(): Promise<void>;
}

/** A test app built with `emulator`: WorkOS is the emulator. */
export interface WorkosTestApp extends TestApp {
  emulator: WorkOSEmulator;
}

export interface EmulatorSettings {
  /** Replaces the test directory (its `clients` default to the test client when left out). */
  directory?: DirectoryInput;
  /** The SDK's timeout (ms). Default 5000; tests that inject hangs set a short one so they fail fast. */
  timeoutMs?: number;
}

export interface TestAppOptions {
  /** Library config over the harness's (database, BASE_URL, cheap bcrypt, the logger into `t.logs`, the emulator's keys). */
  config?: Partial<WorkosLoginConfig>;
  /** Run on this database and its client; whoever created it closes it. */
  db?: TestDb;
  /** Another instance (a second process) on that app's database, with its own Prisma client; that app's `close()` ends the database. */
  sameDatabaseAs?: TestApp;
  /** WorkOS pointed at a fresh emulator (the test directory unless given) whose clock follows the app's. */
  emulator?: boolean | EmulatorSettings;
  /** express-session options instead of the harness's (the store stays the harness's), or `false` for a host without express-session. */
  session?: false | Omit<session.SessionOptions, 'store'>;
  /** Extra setup on the express app before anything is mounted (e.g. trust proxy). */
  configure?: (app: Express) => void;
  /** Host routes, mounted after the router and before the harness's `/private` and `/accounts/profile/` (so they win). */
  routes?: (app: Express, login: WorkosLoginRouter) => void;
  /** Login rules to create once the app is up. */
  rules?: LoginRuleInput[];
  /** Record the router's events in `t.events` (default). `false` leaves the router without listeners, as a host that forgot them. */
  eventLog?: boolean;
  /** Extra login methods (method modules) mounted after the built-in ones. */
  methods?: WorkosLoginOptions['methods'];
}

export function createTestApp(options: TestAppOptions & { emulator: true | EmulatorSettings }): Promise<WorkosTestApp>;
export function createTestApp(options?: TestAppOptions): Promise<TestApp>;
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const shared = options.sameDatabaseAs?.db;
  const db = options.db ?? (shared ? { ...shared, prisma: shared.newClient() } : await createTestDb());
  const ownsDb = !options.db && !shared;
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  let emulator: WorkOSEmulator | null = null;
  try {
    if (options.emulator) {
      const settings = options.emulator === true ? {} : options.emulator;
      const directory = settings.directory ?? testDirectory();
      emulator = await createWorkOSEmulator({
        directory: { ...directory, clients: directory.clients ?? testDirectory().clients },
        now: () => clock.now,
      });
    }
    const logs: string[] = [];
    const log = (m: string, meta?: object) => void logs.push(`${m} ${JSON.stringify(meta ?? {})}`);
    const workos = emulator
      ? { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions, timeoutMs: (options.emulator as EmulatorSettings).timeoutMs ?? 5000 }
      : undefined;
    const login = workosLogin(
      {
        prisma: db.prisma,
        baseUrl: BASE_URL,
        logger: { info: log, warn: log, error: log },
        ...options.config,
        // Nested settings are merged, so that a test setting one of them keeps the harness's others (cheap bcrypt).
        password: { bcryptCost: TEST_BCRYPT_COST, ...options.config?.password },
        ...(workos || options.config?.workos ? { workos: { ...workos, ...options.config?.workos } } : {}),
      } as WorkosLoginConfig,
      { now: () => clock.now, methods: options.methods },
    );
    const all: EventLog['all'] = [];
    if (options.eventLog !== false) {
      for (const name of LOGGED_EVENTS) {
        login.on(name, (payload: unknown) => {
          all.push({ name, payload });
        });
      }
    }
    const store = new session.MemoryStore();
    const app = express();
    options.configure?.(app);
    if (options.session !== false) {
      const settings: Omit<session.SessionOptions, 'store'> = options.session ?? {
        secret: 'test-secret',
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, sameSite: 'lax' },
      };
      app.use(session({ ...settings, store }));
    }
    app.use('/accounts', login);
    options.routes?.(app, login);
    app.get('/accounts/profile/', login.requireLogin, (req, res) => {
      res.type('text').send(`profile of ${(req.user as { username: string }).username}`);
    });
    app.get('/private', login.requireLogin, (req, res) => {
      res.type('text').send(`private for ${(req.user as { username: string }).username}`);
    });
    for (const rule of options.rules ?? []) await login.rules.create(rule);
    const started = emulator;
    return {
      app,
      db,
      prisma: db.prisma,
      login,
      store,
      clock,
      logs,
      emulator,
      events: { all, of: (name) => all.filter((e) => e.name === name).map((e) => e.payload) as never },
      agent: () => supertest.agent(app),
      async close() {
        await started?.close();
        if (ownsDb) await db.close();
      },
    };
  } catch (err) {
    await emulator?.close();
    if (ownsDb) await db.close();
    throw err;
  }
}

/** The CSRF token in a page's form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field in page');
  return m[1]!;
}

/** GETs a page and returns its CSRF token (creating the session if needed). */
export async function csrf(agent: Agent, path = '/accounts/login/'): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/** POSTs a form to `path` with the CSRF token of the page at `pagePath` (default: the same path). */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>, pagePath = path) {
  const token = await csrf(agent, pagePath);
  return agent.post(path).type('form').send({ _csrf: token, ...fields });
}

export interface UserSeed {
  username: string;
  /** Default PASSWORD; null for a user without a password. */
  password?: string | null;
  email?: string;
  isActive?: boolean;
  isSuperuser?: boolean;
  groups?: string[];
  firstName?: string;
  lastName?: string;
}

export async function createUser(prisma: TestPrisma, seed: UserSeed) {
  return prisma.user.create({
    data: {
      username: seed.username,
      email: seed.email ?? `${seed.username}@example.test`,
      passwordHash: seed.password === null ? null : await hashPassword(seed.password ?? PASSWORD, TEST_BCRYPT_COST),
      isActive: seed.isActive ?? true,
      isSuperuser: seed.isSuperuser ?? false,
      firstName: seed.firstName ?? '',
      lastName: seed.lastName ?? '',
      groups: seed.groups ? { connectOrCreate: seed.groups.map((name) => ({ where: { name }, create: { name } })) } : undefined,
    },
  });
}

/** Full password login through both steps; returns the final response. */
export async function passwordLogin(agent: Agent, username: string, password: string, next?: string) {
  const token = await csrf(agent, `/accounts/login/${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  return agent.post('/accounts/login/').type('form').send({ _csrf: token, username, password, next: next ?? '' });
}

/** True when the agent is fully logged in; otherwise checks the login redirect of /private. */
export async function isLoggedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/private');
  if (res.status === 200) return true;
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/accounts/login/?next=%2Fprivate');
  return false;
}

/** The express-session id a response set, or undefined when it set none. */
export function sessionIdSet(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  for (const c of cookies) {
    const m = /^connect\.sid=([^;]+)/.exec(c);
    if (m) return /^s:([^.]+)\./.exec(decodeURIComponent(m[1]!))?.[1];
  }
  return undefined;
}

/** Whether the session store still holds a session id. */
export function storeHas(t: TestApp, sid: string): Promise<boolean> {
  return new Promise((resolve, reject) => t.store.get(sid, (err, s) => (err ? reject(err) : resolve(!!s))));
}
