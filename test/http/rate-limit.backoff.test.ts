// Throttling that an attacker cannot turn against the owner (OWASP, NIST SP 800-63B §5.2.2): failures block only
// the client that made them, with a backoff that grows per account; a long-run cap per account locks everyone out
// only after 100 failures a day, which one client alone cannot reach; `accountThrottled` fires when a block starts.
// Clients are told apart by X-Forwarded-For from the (trusted) loopback proxy. Most tests run on the defaults.
import { afterAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES, type WorkosLoginConfig, type WorkosLoginEvents } from '../../src/index.ts';
import { DEFAULT_CONFIG } from '../docs/support.ts';
import { PASSWORD, createTestApp, createUser, csrf, isLoggedIn, type Agent, type TestApp } from '../support/app.ts';
import { newResetLink, submitNewPassword } from '../password/support.ts';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function app(rateLimit?: WorkosLoginConfig['rateLimit']): Promise<TestApp> {
  const t = await createTestApp({ config: rateLimit ? { rateLimit } : {}, configure: (a) => a.set('trust proxy', 'loopback') });
  apps.push(t);
  return t;
}

/** One password attempt from client `ip` (a fresh agent, so no session carries over). */
async function attempt(t: TestApp, ip: string, username: string, password: string, agent: Agent = t.agent()) {
  const token = await csrf(agent);
  return agent.post('/accounts/login/').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, username, password });
}

type Res = { status: number; text: string; headers: Record<string, string> };

function expectWrong(res: Res) {
  expect(res.status).toBe(401);
  expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
}

/** A throttled answer, and the number of seconds it asks to wait. */
function throttledFor(res: Res): number {
  expect(res.status).toBe(429);
  expect(res.text).toContain(LOGIN_MESSAGES.throttled);
  return Number(res.headers['retry-after']);
}

const throttles = (t: TestApp): WorkosLoginEvents['accountThrottled'][] => t.events.of('accountThrottled');

describe('failures from other clients do not lock the owner out', () => {
  it('lets the owner in from a fresh address after 10 failures from 10 different addresses', async () => {
    // Threat (items 17, 20): anyone who knows a username locks its owner out for 15 minutes with 10 wrong passwords.
    const t = await app();
    const owner = await createUser(t.prisma, { username: 'owner', password: PASSWORD });
    for (let i = 1; i <= 10; i++) expectWrong(await attempt(t, `203.0.113.${i}`, 'owner', `guess ${i}`));
    const agent = t.agent();
    const res = await attempt(t, '192.0.2.10', 'owner', PASSWORD, agent);
    expect(res.status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
    expect(throttles(t)).toEqual([]);
    expect(t.events.of('login').at(-1)?.user.id).toBe(owner.id);
  });

  it('blocks the client that failed five times, and only that client', async () => {
    // Threat (items 16, 20): one client guesses without limit, or its guesses block the owner everywhere.
    const t = await app();
    const owner = await createUser(t.prisma, { username: 'owner2', password: PASSWORD });
    for (let i = 0; i < 5; i++) expectWrong(await attempt(t, '203.0.113.66', 'owner2', `guess ${i}`));
    // Even the right password is refused from that client, for the first backoff (60 s).
    expect(throttledFor(await attempt(t, '203.0.113.66', 'owner2', PASSWORD))).toBe(60);
    expect(throttles(t)).toEqual([{ account: `user:${owner.id}`, userId: owner.id, ip: '203.0.113.66', kind: 'backoff', level: 1, retryAfter: 60 }]);
    // Refusals while blocked do not start new blocks.
    expect(throttledFor(await attempt(t, '203.0.113.66', 'owner2', 'again'))).toBeGreaterThan(55);
    expect(throttles(t)).toHaveLength(1);
    // The owner elsewhere logs in; the blocked client stays blocked.
    const agent = t.agent();
    expect((await attempt(t, '192.0.2.10', 'owner2', PASSWORD, agent)).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
    throttledFor(await attempt(t, '203.0.113.66', 'owner2', PASSWORD));
  });
});

describe('progressive backoff per account', () => {
  it('doubles the block each time the account is backed off again, from any client', async () => {
    // Threat (items 16, 17): an attacker rotating addresses gets a fresh short block on each one.
    const t = await app();
    const user = await createUser(t.prisma, { username: 'target', password: PASSWORD });
    const waits: number[] = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      for (let i = 0; i < 5; i++) expectWrong(await attempt(t, ip, 'target', `guess ${i}`));
      waits.push(throttledFor(await attempt(t, ip, 'target', 'one more')));
    }
    expect(waits).toEqual([60, 120, 240]);
    expect(throttles(t).map((e) => [e.ip, e.kind, e.level, e.retryAfter])).toEqual([
      ['203.0.113.1', 'backoff', 1, 60],
      ['203.0.113.2', 'backoff', 2, 120],
      ['203.0.113.3', 'backoff', 3, 240],
    ]);
    expect(new Set(throttles(t).map((e) => e.userId))).toEqual(new Set([user.id]));
    // An unknown name is backed off exactly alike (the answer never tells whether the account exists).
    for (let i = 0; i < 5; i++) expectWrong(await attempt(t, '203.0.113.1', 'no-such-user', `guess ${i}`));
    expect(throttledFor(await attempt(t, '203.0.113.1', 'no-such-user', 'one more'))).toBe(60);
    expect(throttles(t).at(-1)).toEqual({ account: 'name:no-such-user', userId: null, ip: '203.0.113.1', kind: 'backoff', level: 1, retryAfter: 60 });
  });

  it('blocks the same client longer after each block ends, up to maxBlockSeconds', async () => {
    // Threat (items 16, 17): a client that waits out each block guesses at a steady rate forever.
    const t = await app({ perAccountIp: { points: 1, durationSeconds: 60, blockSeconds: 1, maxBlockSeconds: 2 } });
    await createUser(t.prisma, { username: 'patient', password: PASSWORD });
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      expectWrong(await attempt(t, '203.0.113.9', 'patient', `guess ${round}`));
      const wait = throttledFor(await attempt(t, '203.0.113.9', 'patient', 'again'));
      waits.push(wait);
      // The limiter keeps real time (not the injectable clock): wait the block out.
      await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    }
    expect(waits).toEqual([1, 2, 2]);
    expect(throttles(t).map((e) => e.level)).toEqual([1, 2, 3]);
  }, 15_000);
});

describe('the long-run cap', () => {
  it('locks the account for everyone for a day after 100 failures from many addresses, until a password reset', async () => {
    // Threat (item 17): failures spread over many addresses are never capped (130 failures in 24 s were possible).
    const t = await app();
    const user = await createUser(t.prisma, { username: 'capped', password: PASSWORD });
    // Four failures from each of 25 addresses: no client reaches its own limit of five.
    for (let i = 0; i < 100; i++) expectWrong(await attempt(t, `198.51.100.${1 + Math.floor(i / 4)}`, 'capped', `guess ${i}`));
    expect(throttles(t)).toEqual([]);
    // The owner, from an address that never failed, is refused too: the account is locked for a day.
    const owner = t.agent();
    const locked = await attempt(t, '192.0.2.10', 'capped', PASSWORD, owner);
    expect(throttledFor(locked)).toBeGreaterThan(86_000);
    expect(await isLoggedIn(owner)).toBe(false);
    expect(throttles(t)).toEqual([{ account: `user:${user.id}`, userId: user.id, ip: '192.0.2.10', kind: 'lockout', level: 0, retryAfter: 86_400 }]);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'capped', reason: 'throttled' });
    throttledFor(await attempt(t, '192.0.2.11', 'capped', PASSWORD));
    expect(throttles(t)).toHaveLength(1);

    // A reset proves the mailbox: it lifts the lockout.
    const link = await newResetLink(t, user.id, user.email);
    expect((await submitNewPassword(t.agent(), link, 'a new password 1')).status).toBe(303);
    const back = t.agent();
    expect((await attempt(t, '192.0.2.10', 'capped', 'a new password 1', back)).status).toBe(303);
    expect(await isLoggedIn(back)).toBe(true);
  });

  it('counts consecutive failures: a successful login starts the count again', async () => {
    // Threat (item 17): the owner's occasional typos add up, over days, to a lockout.
    const t = await app({ perAccount: { points: 6, durationSeconds: 86_400, blockSeconds: 86_400 } });
    await createUser(t.prisma, { username: 'typo', password: PASSWORD });
    let ip = 0;
    const fail = async (n: number) => {
      for (let i = 0; i < n; i++) expectWrong(await attempt(t, `198.51.100.${++ip}`, 'typo', 'typo'));
    };
    // Twice five failures, each run followed by the owner's login: ten in all, more than the cap, never six in a row.
    await fail(5);
    expect((await attempt(t, '192.0.2.10', 'typo', PASSWORD)).status).toBe(303);
    await fail(5);
    expect(throttles(t)).toEqual([]);
    expect((await attempt(t, '192.0.2.10', 'typo', PASSWORD)).status).toBe(303);
    // Six in a row reach the cap: the next attempt, even the owner's, is locked out.
    await fail(6);
    expect(throttledFor(await attempt(t, '192.0.2.10', 'typo', PASSWORD))).toBeGreaterThan(86_000);
    expect(throttles(t).map((e) => e.kind)).toEqual(['lockout']);
  });

  it('does not count attempts a block refused: a blocked client cannot spend the account\'s allowance', async () => {
    // Threat (item 20): one client hammering while blocked drives the account into the lockout.
    const t = await app({ perAccountIp: { points: 2, durationSeconds: 900, blockSeconds: 60, maxBlockSeconds: 60 }, perAccount: { points: 5, durationSeconds: 86_400, blockSeconds: 86_400 } });
    await createUser(t.prisma, { username: 'hammered', password: PASSWORD });
    for (let i = 0; i < 2; i++) expectWrong(await attempt(t, '203.0.113.5', 'hammered', `guess ${i}`));
    for (let i = 0; i < 20; i++) throttledFor(await attempt(t, '203.0.113.5', 'hammered', `guess ${i}`));
    const agent = t.agent();
    expect((await attempt(t, '192.0.2.10', 'hammered', PASSWORD, agent)).status).toBe(303);
    expect(throttles(t).map((e) => e.kind)).toEqual(['backoff']);
  });

  it('counts parallel guesses from many addresses before the password check', async () => {
    // Threat (items 16, 17): a burst from many addresses slips past a check-then-count cap.
    const t = await app({ perAccount: { points: 3, durationSeconds: 86_400, blockSeconds: 86_400 } });
    await createUser(t.prisma, { username: 'burst', password: PASSWORD });
    const agents = Array.from({ length: 12 }, () => t.agent());
    const tokens = await Promise.all(agents.map((a) => csrf(a)));
    const results = await Promise.all(
      agents.map((a, i) => a.post('/accounts/login/').set('X-Forwarded-For', `198.51.100.${i + 1}`).type('form').send({ _csrf: tokens[i], username: 'burst', password: `guess ${i}` })),
    );
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(3);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(9);
    expect(throttles(t).filter((e) => e.kind === 'lockout')).toHaveLength(1);
  });

  it('with the defaults, one client alone cannot reach the cap within its window', () => {
    // Threat (item 20): a single attacker waits out each backoff and still locks the owner out for a day.
    const { perAccountIp, perAccount } = DEFAULT_CONFIG.rateLimit;
    let failures = 0;
    let elapsed = 0;
    for (let level = 1; elapsed < perAccount.durationSeconds; level++) {
      failures += perAccountIp.points;
      elapsed += Math.min(perAccountIp.blockSeconds * 2 ** (level - 1), perAccountIp.maxBlockSeconds);
    }
    expect(failures).toBeLessThan(perAccount.points);
  });
});
