// One harness for HTTP tests: a real database, the real router behind express-session, supertest agents,
// an event log and a controllable clock.
import express, { type Express } from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { expect } from 'vitest';
import { hashPassword, workosLogin, type WorkosLoginConfig, type WorkosLoginEvents, type WorkosLoginRouter } from '../../src/index.ts';
import { createTestDb, type TestDb, type TestPrisma } from './db.ts';

export type Agent = ReturnType<typeof supertest.agent>;

export interface EventLog {
  all: { name: keyof WorkosLoginEvents; payload: unknown }[];
  of<E extends keyof WorkosLoginEvents>(name: E): WorkosLoginEvents[E][];
}

export interface TestApp {
  app: Express;
  db: TestDb;
  prisma: TestPrisma;
  login: WorkosLoginRouter;
  store: session.MemoryStore;
  events: EventLog;
  clock: { now: number; advance(ms: number): void };
  agent(): Agent;
  close(): Promise<void>;
}

export const TEST_BCRYPT_COST = 4;
export const BASE_URL = 'http://app.test';

export interface TestAppOptions {
  config?: Partial<WorkosLoginConfig>;
  db?: TestDb;
  /** Extra setup on the express app before the router is mounted (e.g. trust proxy). */
  configure?: (app: Express) => void;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDb());
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const quiet = { info() {}, warn() {}, error() {} };
  const login = workosLogin(
    { prisma: db.prisma, baseUrl: BASE_URL, bcryptCost: TEST_BCRYPT_COST, logger: quiet, ...options.config } as WorkosLoginConfig,
    { now: () => clock.now },
  );
  const all: EventLog['all'] = [];
  for (const name of ['userCreated', 'sendMagicLink', 'sendPasswordReset', 'login', 'loginFailed', 'logout', 'passwordChanged'] as const) {
    login.on(name, (payload: unknown) => {
      all.push({ name, payload });
    });
  }
  const store = new session.MemoryStore();
  const app = express();
  options.configure?.(app);
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false, store, cookie: { httpOnly: true, sameSite: 'lax' } }));
  app.use('/accounts', login);
  app.get('/accounts/profile/', login.requireLogin, (req, res) => {
    res.type('text').send(`profile of ${(req.user as { username: string }).username}`);
  });
  app.get('/private', login.requireLogin, (req, res) => {
    res.type('text').send(`private for ${(req.user as { username: string }).username}`);
  });
  return {
    app,
    db,
    prisma: db.prisma,
    login,
    store,
    clock,
    events: { all, of: (name) => all.filter((e) => e.name === name).map((e) => e.payload) as never },
    agent: () => supertest.agent(app),
    close: () => db.close(),
  };
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

export interface UserSeed {
  username: string;
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
      passwordHash: seed.password === null ? null : await hashPassword(seed.password ?? 'correct horse battery', TEST_BCRYPT_COST),
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
