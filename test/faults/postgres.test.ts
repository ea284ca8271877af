// PostgreSQL cut, restarted and slow in the middle of logins, between the app's Prisma client (adapter-pg) and the
// server, through a loopback proxy the test controls (the server itself, shared with others, is never touched):
// every request ends in the "try again" page (503, no stack trace), no user is half-created, a logged-in session
// survives, and the same app, never restarted, works again once the database is back. Always on PostgreSQL
// (TEST_DATABASE_URL when it is a postgres:// URL, else postgresql://postgres@127.0.0.1:5432/test), also in the
// SQLite pass of `npm test`: a SQLite file cannot be cut or slowed from outside the process.
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrismaClient as PostgresClient } from '../../generated/postgres/client.ts';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, csrf, type Agent, type WorkosTestApp } from '../support/app.ts';
import { createPostgres, type TestDb, type TestPrisma } from '../support/db.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { completeIdpLogin, startLogin } from '../support/workos.ts';

const PG_URL = (process.env.TEST_DATABASE_URL ?? '').startsWith('postgres') ? process.env.TEST_DATABASE_URL! : 'postgresql://postgres@127.0.0.1:5432/test';
/** The app's limit per database call (roomy for a busy machine); the slow database below takes 5 s a round trip. */
const TIMEOUT_MS = 2500;
const SLOW_MS = 5000;

let db: TestDb;
let proxy: TcpProxy;
let appClient: TestPrisma;
let t: WorkosTestApp;
/** Called with each SQL statement the app's client completed (Prisma's query events). */
let onQuery: (sql: string) => void = () => {};

beforeAll(async () => {
  db = await createPostgres(PG_URL);
  const target = new URL(PG_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(PG_URL);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  appClient = new PostgresClient({
    adapter: new PrismaPg({ connectionString: proxied.toString(), connectionTimeoutMillis: 4 * TIMEOUT_MS }, { schema: db.schema! }),
    log: [{ emit: 'event', level: 'query' }],
  }) as unknown as TestPrisma;
  (appClient as unknown as { $on(e: 'query', l: (e: { query: string }) => void): void }).$on('query', (e) => onQuery(e.query));
  // Logins that end in the try-again page still count against pat's limits: roomy ones, so that they never throttle.
  const roomy = { points: 100, durationSeconds: 900, blockSeconds: 60 };
  t = await createTestApp({
    db,
    emulator: true,
    config: { prisma: appClient, database: { timeoutMs: TIMEOUT_MS }, rateLimit: { perAccountIp: { ...roomy, maxBlockSeconds: 60 }, perIp: roomy, perAccount: roomy } },
  });
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes' });
  await createUser(db.prisma, { username: 'pat' });
});
afterAll(async () => {
  await t?.close();
  await appClient?.$disconnect().catch(() => {});
  await proxy?.close();
  await db?.close();
});
beforeEach(async () => {
  onQuery = () => {};
  await proxy.restore();
});

function expectTryAgainPage(res: { status: number; text: string }) {
  expect(res.status).toBe(503);
  expect(res.text).toContain(LOGIN_MESSAGES.upstream);
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|\bat \/|node_modules|Error:|prisma|postgres|ECONN/i);
}

/** The user's name when the agent's session is logged in, null when it is not, the status on an error page. */
async function who(agent: Agent): Promise<string | number | null> {
  const res = await agent.get('/private');
  if (res.status === 200) return res.text.replace(/^private for /, '');
  return res.status === 303 ? null : res.status;
}

async function passwordLogin(agent: Agent, token: string) {
  return agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'pat', password: PASSWORD });
}

/** Rows of a JIT user (read directly, not through the proxy): whole means one user with its identity and group. */
async function rowsOf(email: string) {
  const users = await db.prisma.user.findMany({ where: { email }, include: { ssoIdentities: true } });
  return { users: users.length, identities: users.reduce((n, u) => n + u.ssoIdentities.length, 0) };
}

/** Waits (bounded) until a password login through the app works again. */
async function waitUntilLoginWorks(): Promise<void> {
  let status = 0;
  for (let i = 0; i < 60 && status !== 303; i++) {
    const agent = t.agent();
    status = (await passwordLogin(agent, await csrf(agent).catch(() => 'none'))).status;
    if (status !== 303) await new Promise((r) => setTimeout(r, 250));
  }
  expect(status).toBe(303);
}

describe('PostgreSQL cut mid-run', () => {
  it('a password login while the database is cut: the try-again page, then the same form logs in once it is back', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    proxy.cut();
    expectTryAgainPage(await passwordLogin(agent, token));
    expect(t.events.of('login').filter((e) => e.user.username === 'pat')).toHaveLength(0);
    await proxy.restore();
    expect((await passwordLogin(agent, token)).status).toBe(303);
    expect(await who(agent)).toBe('pat');
  });

  it('a logged-in session is not lost: 503 while the database is away, the same session afterwards', async () => {
    const agent = t.agent();
    expect((await passwordLogin(agent, await csrf(agent))).status).toBe(303);
    proxy.cut();
    const down = await agent.get('/private');
    expectTryAgainPage(down);
    await proxy.refuse();
    expect(await who(agent)).toBe(503);
    await proxy.restore();
    expect(await who(agent)).toBe('pat');
  });

  it('SSO with JIT, cut in the middle of the creating transaction: no half-created user; a new login creates it whole', async () => {
    const email = 'cut-mid-jit@acme.test';
    t.emulator.directory.addUser('conn_acme_saml', { email, firstName: 'Cut' });
    const agent = t.agent();
    const callback = await completeIdpLogin(t.emulator, await startLogin(agent, email), { email });
    // The user row is written, its identity not yet, nothing committed: the connection goes now.
    let cutAt = '';
    onQuery = (sql) => {
      if (!cutAt && /^INSERT INTO "[^"]+"\."User"/.test(sql)) {
        cutAt = sql;
        proxy.cut();
      }
    };
    expectTryAgainPage(await agent.get(callback));
    expect(cutAt).not.toBe('');
    expect(await rowsOf(email)).toEqual({ users: 0, identities: 0 });
    expect(t.events.of('userCreated').filter((e) => e.user.email === email)).toEqual([]);

    onQuery = () => {};
    await proxy.restore();
    const retry = await agent.get(await completeIdpLogin(t.emulator, await startLogin(agent, email), { email }));
    expect(retry.status).toBe(303);
    expect(await rowsOf(email)).toEqual({ users: 1, identities: 1 });
    expect(await who(agent)).toBe(email);
  });

  it('a restart during a burst of logins (every connection dropped, refused for a while): 303 or 503, never 500; all work after', async () => {
    const LOGINS = 12;
    const agents = await Promise.all(
      Array.from({ length: LOGINS }, async () => {
        const agent = t.agent();
        return { agent, token: await csrf(agent) };
      }),
    );
    const emails = Array.from({ length: LOGINS / 2 }, (_, i) => `burst-${i}@acme.test`);
    for (const email of emails) t.emulator.directory.addUser('conn_acme_saml', { email, firstName: 'Burst' });
    const callbacks = await Promise.all(emails.map(async (email, i) => completeIdpLogin(t.emulator, await startLogin(agents[i]!.agent, email), { email })));

    // The "restart": once the burst is under way (its fifth statement done), every connection is dropped and new
    // ones are refused for a moment; then the server is back.
    let statements = 0;
    let restarted: Promise<void> | null = null;
    onQuery = () => {
      if (++statements !== 5) return;
      restarted = proxy.refuse().then(() => new Promise((r) => setTimeout(r, 300))).then(() => proxy.restore());
    };
    const results = await Promise.all(
      agents.map(({ agent, token }, i) => (i < emails.length ? agent.get(callbacks[i]!) : passwordLogin(agent, token)).then((r) => ({ status: r.status, text: r.text }))),
    );
    expect(restarted).not.toBeNull();
    await restarted;
    onQuery = () => {};
    expect(results.filter((r) => r.status !== 303 && r.status !== 503)).toEqual([]);
    expect(results.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    for (const r of results.filter((x) => x.status === 503)) expectTryAgainPage(r);
    for (const email of emails) expect([{ users: 0, identities: 0 }, { users: 1, identities: 1 }]).toContainEqual(await rowsOf(email));

    // Recovery without a restart: every one of them logs in now.
    for (const [i, email] of emails.entries()) {
      const agent = agents[i]!.agent;
      if ((await who(agent)) === email) continue;
      expect((await agent.get(await completeIdpLogin(t.emulator, await startLogin(agent, email), { email }))).status).toBe(303);
      expect(await who(agent)).toBe(email);
      expect(await rowsOf(email)).toEqual({ users: 1, identities: 1 });
    }
    await waitUntilLoginWorks();
  }, 30_000);
});

describe('a slow database (5 s a round trip), database.timeoutMs 2.5 s', () => {
  it('a password login ends in the try-again page at the limit, and the app recovers when the database is fast again', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    proxy.delay(SLOW_MS);
    expectTryAgainPage(await passwordLogin(agent, token));
    expect(t.logs.some((l) => l.includes('upstream on POST /accounts/login') && l.includes('DatabaseTimeout'))).toBe(true);
    proxy.delay(0);
    await waitUntilLoginWorks();
    expect((await passwordLogin(agent, token)).status).toBe(303);
  }, 40_000);

  it('an SSO login with JIT ends in the try-again page and creates nothing, not even late', async () => {
    const email = 'slow-jit@acme.test';
    t.emulator.directory.addUser('conn_acme_saml', { email, firstName: 'Slow' });
    const agent = t.agent();
    const callback = await completeIdpLogin(t.emulator, await startLogin(agent, email), { email });
    // Slow only from the transaction on: the lookups before it are quick.
    onQuery = (sql) => {
      if (/^BEGIN/.test(sql) || /"SsoIdentity"/.test(sql)) proxy.delay(SLOW_MS);
    };
    const logged = t.logs.length;
    expectTryAgainPage(await agent.get(callback));
    expect(t.logs.slice(logged).join('\n')).toMatch(/upstream on GET \/accounts\/callback\/sso.*(DatabaseTimeout|Transaction)/);
    onQuery = () => {};
    proxy.delay(0);
    // Every statement held back has now reached the server (a late COMMIT included), and the app logs in again:
    // still no user, since the transaction's own limit rolled it back.
    await proxy.drained();
    await waitUntilLoginWorks();
    expect(await rowsOf(email)).toEqual({ users: 0, identities: 0 });
    expect((await agent.get(await completeIdpLogin(t.emulator, await startLogin(agent, email), { email }))).status).toBe(303);
    expect(await rowsOf(email)).toEqual({ users: 1, identities: 1 });
  }, 40_000);
});
