// Redis down, then back, under the router's own rate-limited routes (counters in Redis, sessions elsewhere): the
// login form, the reset request and the magic-link form each answer the "try again" page (503, no stack trace)
// while Redis is cut or stalled, send nothing, and work again once it is back, in the same browser session, without
// a restart.
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379), reached through a loopback proxy that the test cuts.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, csrf, isLoggedIn, passwordLogin, type Agent, type TestApp } from '../support/app.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { askByForm, magicConfig } from '../magic-link/support.ts';

const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `ewl-test-faults-${process.pid}-${randomBytes(4).toString('hex')}`;
let proxy: TcpProxy;
let redis: Redis;
let direct: Redis;
let t: TestApp;

beforeAll(async () => {
  proxy = await startTcpProxy({ host: REDIS_URL.hostname, port: Number(REDIS_URL.port || 6379) });
  // As a host should set it up (examples/basic/production.ts): no offline queue, so commands fail at once while
  // Redis is away instead of piling up; ioredis reconnects by itself.
  redis = new Redis(`redis://127.0.0.1:${proxy.port}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => 100 });
  redis.on('error', () => {}); // reconnect attempts while cut are expected
  await redis.connect();
  direct = new Redis(REDIS_URL.toString(), { lazyConnect: true });
  await direct.connect();
  // A short limit, so that the stalled-Redis test ends quickly (every call here takes milliseconds).
  t = await createTestApp({ config: { ...magicConfig('local'), rateLimit: { store: { redis }, keyPrefix: prefix }, database: { timeoutMs: 1000 } } });
  await createUser(t.prisma, { username: 'pat', email: 'pat@example.test' });
  await createUser(t.prisma, { username: 'mia', email: 'mia@magic.test', password: null });
  await t.login.rules.create({ name: 'Magic for magic.test', method: 'magic', priority: 10, emailRegex: '@magic\\.test$' });
});
afterAll(async () => {
  await t?.close();
  redis?.disconnect();
  await proxy?.close();
  const keys = await direct.keys(`${prefix}*`);
  if (keys.length) await direct.del(...keys);
  direct.disconnect();
});

function expectTryAgainPage(res: { status: number; text: string }) {
  expect(res.status).toBe(503);
  expect(res.text).toContain(LOGIN_MESSAGES.upstream);
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|\bat \/|node_modules|Error:|ECONNRESET|Stream isn't writeable/);
}

async function waitForRedis(): Promise<void> {
  for (let i = 0; i < 100 && redis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
  expect(redis.status).toBe('ready');
}

describe('Redis down, then back (rate-limit store)', () => {
  it('login, reset request and magic-link forms answer 503 while Redis is cut, then work again in the same session', async () => {
    const agent: Agent = t.agent();
    // The forms' session and CSRF token come first, while Redis is up; the session does not live in Redis.
    const loginToken = await csrf(agent);
    const resetToken = await csrf(agent, '/accounts/password_reset/');
    const magicToken = await csrf(agent, '/accounts/magic/');
    expect((await passwordLogin(t.agent(), 'pat', PASSWORD)).status).toBe(303);
    expect(await direct.keys(`${prefix}*`)).not.toEqual([]);
    const sentResets = t.events.of('sendPasswordReset').length;
    const sentLinks = t.events.of('sendMagicLink').length;
    const logins = t.events.of('login').length;

    proxy.cut();
    expectTryAgainPage(await agent.post('/accounts/login/').type('form').send({ _csrf: loginToken, username: 'pat', password: PASSWORD }));
    expectTryAgainPage(await agent.post('/accounts/password_reset/').type('form').send({ _csrf: resetToken, email: 'pat@example.test' }));
    expectTryAgainPage(await agent.post('/accounts/magic/').type('form').send({ _csrf: magicToken, username: 'mia' }));
    expect(t.events.of('login')).toHaveLength(logins);
    expect(t.events.of('sendPasswordReset')).toHaveLength(sentResets);
    expect(t.events.of('sendMagicLink')).toHaveLength(sentLinks);
    expect(await isLoggedIn(agent)).toBe(false);
    // The host's logger has the cause; the visitor does not.
    expect(t.logs.some((l) => l.includes('upstream on POST /accounts/login') && l.includes('RateLimitStoreFailure'))).toBe(true);

    await proxy.restore();
    await waitForRedis();
    // The same browser session and its token: no restart, no new session needed.
    expect((await agent.post('/accounts/password_reset/').type('form').send({ _csrf: resetToken, email: 'pat@example.test' })).status).toBe(303);
    expect(t.events.of('sendPasswordReset')).toHaveLength(sentResets + 1);
    expect((await askByForm(agent, 'mia')).status).toBe(303);
    expect(t.events.of('sendMagicLink')).toHaveLength(sentLinks + 1);
    expect((await agent.post('/accounts/login/').type('form').send({ _csrf: loginToken, username: 'pat', password: PASSWORD })).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('a Redis that stops answering (3 s a round trip) gets the 503 page at database.timeoutMs, not a login seconds later; then works again', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const logins = t.events.of('login').length;
    proxy.delay(3000);
    // Without the limit this request waits out the stall and logs pat in (303).
    expectTryAgainPage(await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'pat', password: PASSWORD }));
    expect(t.events.of('login')).toHaveLength(logins);
    expect(await isLoggedIn(agent)).toBe(false);
    proxy.delay(0);
    await proxy.drained();
    expect((await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'pat', password: PASSWORD })).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  }, 20_000);

  it('a logged-in session survives a Redis outage: requests go on, the session is the same afterwards', async () => {
    const agent = t.agent();
    expect((await passwordLogin(agent, 'pat', PASSWORD)).status).toBe(303);
    proxy.cut();
    // Pages that count nothing do not need Redis.
    expect(await isLoggedIn(agent)).toBe(true);
    await proxy.restore();
    await waitForRedis();
    expect(await isLoggedIn(agent)).toBe(true);
  });
});
