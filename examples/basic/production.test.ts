// The example in production mode (production.ts): two instances of the app, each with its own Prisma client and
// Redis connection, sharing one PostgreSQL schema and one Redis (a fresh key prefix). A browser's steps alternate
// between the instances as a load balancer without sticky sessions would send them. Needs PostgreSQL
// (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test) and Redis (REDIS_URL, default
// redis://127.0.0.1:6379), which the machine and .ci/run start.
import { randomBytes } from 'node:crypto';
import { Agent, type Server } from 'node:http';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom } from '../../test/support/app.ts';
import { nextLoopbackAddress } from '../../test/support/loopback.ts';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.ts';
import { createExampleApp } from './app.ts';
import { openProduction, type ProductionParts } from './production.ts';
import { DEMO_PASSWORD, seedDemo } from './seed.ts';

const DATABASE_URL = (process.env.TEST_DATABASE_URL ?? '').startsWith('postgres') ? process.env.TEST_DATABASE_URL! : 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const schema = `ex_${process.pid}_${randomBytes(4).toString('hex')}`;
const prefix = `ewl-test-${schema}:`;
/** Concurrent logins of the load test: 200 in `npm test`, 1,000 in .ci/run's multi-instance step. */
const LOGINS = Number(process.env.PRODUCTION_LOGINS ?? 200);

interface Instance {
  parts: ProductionParts;
  server: Server;
  login: ReturnType<typeof createExampleApp>['login'];
  mails: { kind: string; to: string; link: string }[];
}
const instances: Instance[] = [];
const mails: Instance['mails'] = [];

async function start(migrate: boolean, redisUrl = REDIS_URL): Promise<Instance> {
  const parts = await openProduction({ databaseUrl: DATABASE_URL, redisUrl, schema, migrate, redisPrefix: prefix });
  const { app, login } = createExampleApp({
    prisma: parts.prisma,
    baseUrl: 'http://localhost:3000',
    sessionStore: parts.sessionStore,
    sessionSecret: 'production-test-secret',
    bcryptCost: 4,
    rateLimit: { ...parts.rateLimit, perIp: { points: 100, durationSeconds: 1, blockSeconds: 0 } },
    deliver: (kind, to, link) => mails.push({ kind, to, link }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { parts, server, login, mails };
}

/**
 * A browser, each request sent to the instance given: one cookie jar and one client address of its own (127.1.x.y), as many clients have, so that the
 * per-IP login limit sees a wave of 1,000 logins as many clients, not one client over its limit.
 */
class Browser {
  private cookie = '';
  private readonly agent: Agent;
  constructor(readonly address = nextLoopbackAddress()) {
    this.agent = new Agent({ localAddress: address });
  }
  get cookieHeader(): string {
    return this.cookie;
  }
  keep(res: { headers: Record<string, unknown> }) {
    const set = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
    const sid = set.find((c) => c.startsWith('sid='));
    if (sid) this.cookie = sid.split(';')[0]!;
  }
  async get(at: Instance, path: string) {
    const res = await supertest(at.server).get(path).agent(this.agent).set('Cookie', this.cookie);
    this.keep(res);
    return res;
  }
  async post(at: Instance, path: string, form: Record<string, string>, tokenFrom: Instance = at) {
    const token = csrfFrom((await this.get(tokenFrom, path)).text);
    const res = await supertest(at.server).post(path).agent(this.agent).set('Cookie', this.cookie).type('form').send({ _csrf: token, ...form });
    this.keep(res);
    return res;
  }
  async whoAmI(at: Instance): Promise<string | null> {
    const res = await this.get(at, '/accounts/profile/');
    if (res.status !== 200) return null;
    return /<dt>Username<\/dt><dd>([^<]+)<\/dd>/.exec(res.text)?.[1] ?? null;
  }
}

let a: Instance;
let b: Instance;

beforeAll(async () => {
  a = await start(true);
  b = await start(false);
  instances.push(a, b);
  await seedDemo(a.parts.prisma, a.login);
}, 60_000);

afterAll(async () => {
  const keys = await a.parts.redis.keys(`${prefix}*`);
  if (keys.length) await a.parts.redis.del(...keys);
  for (const i of instances) {
    await new Promise((r) => i.server.close(r));
    await i.parts.close();
  }
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe('production mode, two instances', () => {
  it('sessions live in Redis: a password login made through A is logged in on B, and logging out on B ends it on A', async () => {
    const browser = new Browser();
    expect((await browser.post(a, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD }, b)).status).toBe(303);
    expect(await browser.whoAmI(b)).toBe('pat');
    expect(await browser.whoAmI(a)).toBe('pat');
    expect(await a.parts.redis.keys(`${prefix}sess:*`)).not.toEqual([]);
    const profile = await browser.get(b, '/accounts/profile/');
    const out = await supertest(a.server).post('/accounts/logout/').set('Cookie', browser.cookieHeader).type('form').send({ _csrf: csrfFrom(profile.text) });
    expect(out.status).toBe(303);
    browser.keep(out);
    expect(await browser.whoAmI(b)).toBeNull();
  });

  it('a magic link asked for on A opens on B in the same browser', async () => {
    const browser = new Browser();
    const before = mails.length;
    const asked = await browser.post(b, '/accounts/login/', { username: 'magic' }, a);
    expect(asked.status).toBe(303);
    const link = mails.slice(before).find((m) => m.kind === 'magic-link' && m.to === 'magic@example.com')?.link;
    expect(link).toMatch(/\/accounts\/callback\/magic\/\?token=/);
    const url = new URL(link!);
    const landed = await browser.get(a, url.pathname + url.search);
    expect(landed.text).toContain('Log in as <strong>magic</strong>?');
    const fields = Object.fromEntries(url.searchParams);
    const done = await supertest(b.server).post('/accounts/callback/magic/').set('Cookie', browser.cookieHeader).type('form').send({ ...fields, _csrf: csrfFrom(landed.text) });
    expect(done.headers.location).toBe('/accounts/profile/');
    browser.keep(done);
    expect(await browser.whoAmI(b)).toBe('magic');
  });

  it('rate limits are shared: failed logins counted on both instances block the account on both', async () => {
    const browser = new Browser();
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await browser.post(i % 2 ? a : b, '/accounts/login/', { username: 'admin', password: `wrong ${i}` })).status;
    expect(last).toBe(429);
    // The same client with a fresh session (no cookie) is blocked on the other instance too.
    expect((await new Browser(browser.address).post(a, '/accounts/login/', { username: 'admin', password: 'wrong again' })).status).toBe(429);
    expect(await a.parts.redis.keys(`${prefix}rl*`)).not.toEqual([]);
  });

  it('a rule changed on A applies to logins on B within the documented second', async () => {
    const rule = await a.login.rules.create({ name: 'Pat by magic link', method: 'magic', priority: 1, emailRegex: '^pat@acme\\.test$' });
    await new Promise((r) => setTimeout(r, 1_100));
    const browser = new Browser();
    // B now sends pat a link instead of asking for the password.
    const res = await browser.post(b, '/accounts/login/', { username: 'pat' });
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(mails.at(-1)).toMatchObject({ kind: 'magic-link', to: 'pat@acme.test' });
    await a.login.rules.delete(rule.id);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await new Browser().post(b, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD })).status).toBe(303);
  });

  it(`${LOGINS} concurrent logins spread over both instances: no error, every session valid on the other instance`, async () => {
    const users = Array.from({ length: 20 }, (_, i) => `load-${i}`);
    const hash = (await a.parts.prisma.user.findUnique({ where: { username: 'pat' } }))!.passwordHash!;
    await a.parts.prisma.user.createMany({ data: users.map((username) => ({ username, email: `${username}@acme.test`, passwordHash: hash })) });
    const results = await Promise.all(
      Array.from({ length: LOGINS }, async (_, i) => {
        const browser = new Browser();
        const [first, second] = i % 2 ? [a, b] : [b, a];
        const res = await browser.post(first, '/accounts/login/', { username: users[i % users.length]!, password: DEMO_PASSWORD }, second);
        return { status: res.status, who: res.status === 303 ? await browser.whoAmI(second) : null, expected: users[i % users.length] };
      }),
    );
    expect(results.filter((r) => r.status !== 303)).toEqual([]);
    expect(results.filter((r) => r.who !== r.expected)).toEqual([]);
    expect(results).toHaveLength(LOGINS);
  }, 60_000 + LOGINS * 100);

  it('Redis down, then back: a clean 503 page without a stack trace, then the same session works again', async () => {
    const target = new URL(REDIS_URL);
    const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const c = await start(false, `redis://127.0.0.1:${proxy.port}`);
    instances.push(c);
    try {
      const browser = new Browser();
      expect((await browser.post(c, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD })).status).toBe(303);
      expect(await browser.whoAmI(c)).toBe('pat');

      proxy.cut();
      for (const path of ['/accounts/profile/', '/accounts/login/']) {
        const down = await browser.get(c, path);
        expect(down.status).toBe(503);
        expect(down.text).toContain('Please try again');
        expect(down.text).not.toMatch(/at \w+ \(|node_modules|Error:/);
      }
      // Meanwhile the instance with a working Redis serves the same session.
      expect(await browser.whoAmI(a)).toBe('pat');

      proxy.restore();
      const deadline = Date.now() + 10_000;
      while (c.parts.redis.status !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(c.parts.redis.status).toBe('ready');
      expect(await browser.whoAmI(c)).toBe('pat');
      const fresh = new Browser();
      expect((await fresh.post(c, '/accounts/login/', { username: 'load-1', password: DEMO_PASSWORD })).status).toBe(303);
      expect(await fresh.whoAmI(b)).toBe('load-1');
    } finally {
      await proxy.close();
    }
  }, 30_000);
});
