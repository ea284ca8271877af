// Throttle counters in a shared store: failures counted by one app instance block the account on another.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES, type WorkosLoginConfig } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, isLoggedIn, passwordLogin, type TestApp } from '../support/app.ts';

const perAccount = { points: 3, durationSeconds: 60, blockSeconds: 60 };
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** Two app instances on one database, each with its own Prisma client, like two processes. */
async function twoInstances(store: NonNullable<WorkosLoginConfig['rateLimit']>['store'], storeB = store, keyPrefix?: string) {
  const config = (s: typeof store) => ({ rateLimit: { store: s, perAccount, ...(keyPrefix ? { keyPrefix } : {}) } });
  const a = await createTestApp({ config: config(store) });
  closers.push(() => a.close());
  // Instance B gets a second client on A's database; closing A disconnects both.
  const b = await createTestApp({ sameDatabaseAs: a, config: config(storeB) });
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
    expect((await redisA.keys(`${keyPrefix}:login-account:*`)).length).toBeGreaterThan(0);
  });
});
