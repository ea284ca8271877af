// Throttle counters in a shared store: failures counted by one app instance block the account on another, and the
// backoff levels and the long-run cap are counted by all instances together.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES, type WorkosLoginConfig } from '../../src/index.ts';
import type { Express } from 'express';
import { PASSWORD, createTestApp, createUser, csrf, isLoggedIn, passwordLogin, type TestApp } from '../support/app.ts';

const perAccountIp = { points: 3, durationSeconds: 60, blockSeconds: 60, maxBlockSeconds: 600 };
const perAccount = { points: 10, durationSeconds: 3600, blockSeconds: 3600 };
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** Two app instances on one database, each with its own Prisma client, like two processes. */
async function twoInstances(store: NonNullable<WorkosLoginConfig['rateLimit']>['store'], storeB = store, keyPrefix?: string) {
  const config = (s: typeof store) => ({ rateLimit: { store: s, perAccountIp, perAccount, ...(keyPrefix ? { keyPrefix } : {}) } });
  // Behind a (loopback) proxy: X-Forwarded-For names the client; without it the client is 127.0.0.1.
  const configure = (app: Express) => app.set('trust proxy', 'loopback');
  const a = await createTestApp({ config: config(store), configure });
  closers.push(() => a.close());
  // Instance B gets a second client on A's database; closing A disconnects both.
  const b = await createTestApp({ sameDatabaseAs: a, config: config(storeB), configure });
  closers.push(() => b.close());
  return { a, b };
}

async function failOn(t: TestApp, username: string, times: number) {
  for (let i = 0; i < times; i++) {
    const res = await passwordLogin(t.agent(), username, `wrong ${i}`);
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
  }
}

async function expectShared(a: TestApp, b: TestApp, username: string) {
  await createUser(a.prisma, { username, password: PASSWORD });
  await failOn(a, username, 2);
  await failOn(b, username, 1);
  // Three failures in total, split over the instances: both now refuse the correct password.
  for (const t of [a, b]) {
    const agent = t.agent();
    const res = await passwordLogin(agent, username, PASSWORD);
    expect(res.status).toBe(429);
    expect(res.text).toContain(LOGIN_MESSAGES.throttled);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await isLoggedIn(agent)).toBe(false);
  }
}

/** One wrong password from client `ip`; the response. */
async function from(t: TestApp, ip: string, username: string, password: string) {
  const agent = t.agent();
  const token = await csrf(agent);
  return agent.post('/accounts/login/').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, username, password });
}

/** Backoff levels and the long-run cap, counted by both instances together. */
async function expectBackoffAndCapShared(a: TestApp, b: TestApp, username: string) {
  const user = await createUser(a.prisma, { username, password: PASSWORD });
  const retryAfter = async (t: TestApp, ip: string) => {
    const res = await from(t, ip, username, PASSWORD);
    expect(res.status).toBe(429);
    return Number(res.headers['retry-after']);
  };
  // Client X fails on A, then on B: blocked on both, at level 1.
  for (const t of [a, a, b]) expect((await from(t, '203.0.113.1', username, 'wrong')).status).toBe(401);
  expect(await retryAfter(b, '203.0.113.1')).toBe(60);
  expect(await retryAfter(a, '203.0.113.1')).toBeGreaterThan(55);
  // Client Y's block is the account's second: twice as long, whichever instance starts it.
  for (const t of [b, b, a]) expect((await from(t, '203.0.113.2', username, 'wrong')).status).toBe(401);
  expect(await retryAfter(a, '203.0.113.2')).toBe(120);
  // Each instance emits the blocks it started.
  const backoffs = [...a.events.of('accountThrottled'), ...b.events.of('accountThrottled')]
    .filter((e) => e.userId === user.id)
    .sort((x, y) => x.level - y.level);
  expect(backoffs.map((e) => [e.ip, e.kind, e.level, e.retryAfter])).toEqual([
    ['203.0.113.1', 'backoff', 1, 60],
    ['203.0.113.2', 'backoff', 2, 120],
  ]);
  // Six failures so far; four more from fresh clients reach the cap of ten, split over the instances.
  for (const [t, ip] of [[a, '198.51.100.1'], [b, '198.51.100.2'], [a, '198.51.100.3'], [b, '198.51.100.4']] as const) {
    expect((await from(t, ip, username, 'wrong')).status).toBe(401);
  }
  // Locked for every client, on both instances.
  expect(await retryAfter(a, '192.0.2.10')).toBeGreaterThan(3500);
  expect(await retryAfter(b, '192.0.2.11')).toBeGreaterThan(3500);
  expect(a.events.of('accountThrottled').at(-1)).toMatchObject({ userId: user.id, kind: 'lockout', ip: '192.0.2.10', level: 2 });
}

describe('shared throttle stores', () => {
  it('memory store (control): each instance counts alone', async () => {
    // Shows what the shared stores fix: with per-process counters an attacker spreads guesses over instances.
    const { a, b } = await twoInstances('memory');
    await createUser(a.prisma, { username: 'alone', password: PASSWORD });
    await failOn(a, 'alone', 3);
    expect((await passwordLogin(b.agent(), 'alone', PASSWORD)).status).toBe(303);
  });

  it('database store: failures on instance A block the account on instance B', async () => {
    // Threat (item 16): guesses spread over several app instances escape a per-process counter.
    const { a, b } = await twoInstances('database');
    await expectShared(a, b, 'db-shared');
    // Success on either instance clears the shared counter.
    const other = 'db-reset';
    await createUser(a.prisma, { username: other, password: PASSWORD });
    await failOn(a, other, 2);
    expect((await passwordLogin(b.agent(), other, PASSWORD)).status).toBe(303);
    await failOn(a, other, 2);
    expect((await passwordLogin(b.agent(), other, PASSWORD)).status).toBe(303);
    // Threat (items 17, 20): the backoff and the long-run cap must hold across instances too.
    await expectBackoffAndCapShared(a, b, 'db-backoff');
  });

  it('Redis store: failures on instance A block the account on instance B', async () => {
    // Threat (item 16): guesses spread over several app instances escape a per-process counter.
    const keyPrefix = `ewl-test-${process.pid}-${randomBytes(4).toString('hex')}`;
    const redisA = new Redis('redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 1 });
    const redisB = new Redis('redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 1 });
    closers.push(async () => {
      const keys = await redisA.keys(`${keyPrefix}*`);
      if (keys.length) await redisA.del(...keys);
      await Promise.all([redisA.quit(), redisB.quit()]);
    });
    const { a, b } = await twoInstances({ redis: redisA }, { redis: redisB }, keyPrefix);
    await expectShared(a, b, 'redis-shared');
    // Threat (items 17, 20): the backoff and the long-run cap must hold across instances too.
    await expectBackoffAndCapShared(a, b, 'redis-backoff');
    expect((await redisA.keys(`${keyPrefix}:login-account:*`)).length).toBeGreaterThan(0);
  });
});
