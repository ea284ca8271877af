// Failed-login throttling per account (from one client: all these requests come from 127.0.0.1) and per client
// IP: same answer for known and unknown names, reset on success, X-Forwarded-For only from trusted proxies,
// temporary blocks, reset still possible. Backoff and the long-run cap: rate-limit.backoff.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, LOGIN_MESSAGES, workosLogin } from '../../src/index.ts';
import { PasswordHasher } from '../../src/password/hash.ts';
import { PASSWORD, TEST_BCRYPT_COST, createTestApp, createUser, csrf, isLoggedIn, passwordLogin, type Agent, type TestApp } from '../support/app.ts';
import { linksFor, newResetLink, submitNewPassword } from '../password/support.ts';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function app(options: Parameters<typeof createTestApp>[0]): Promise<TestApp> {
  const t = await createTestApp(options);
  apps.push(t);
  return t;
}

async function login(agent: Agent, username: string, password: string, headers: Record<string, string> = {}) {
  const token = await csrf(agent);
  return agent.post('/accounts/login/').set(headers).type('form').send({ _csrf: token, username, password });
}

function expectThrottled(res: { status: number; text: string; headers: Record<string, string> }, maxSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.text).toContain(LOGIN_MESSAGES.throttled);
  expect(res.headers.location).toBeUndefined();
  const retry = Number(res.headers['retry-after']);
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(maxSeconds);
}

function expectWrongPassword(res: { status: number; text: string }) {
  expect(res.status).toBe(401);
  expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
}

describe('concurrent guesses', () => {
  it('counts each attempt before the password check, so a burst cannot outrun the limit', async () => {
    // Threat (items 16, 17): many simultaneous guesses all pass a check-then-count throttle before any failure is counted.
    const t = await app({ config: { rateLimit: { perAccountIp: { points: 3, durationSeconds: 60, blockSeconds: 60, maxBlockSeconds: 60 } } } });
    await createUser(t.prisma, { username: 'burst', password: PASSWORD });
    const agents = Array.from({ length: 12 }, () => t.agent());
    const tokens = await Promise.all(agents.map((a) => csrf(a)));
    // Twelve simultaneous wrong guesses: only the first three may reach the password check.
    const results = await Promise.all(
      agents.map((a, i) => a.post('/accounts/login/').type('form').send({ _csrf: tokens[i], username: 'burst', password: `guess ${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
    // The account is now blocked: even the right password is refused.
    expectThrottled(await passwordLogin(t.agent(), 'burst', PASSWORD), 60);
  });
});

describe('one counter per account', () => {
  it('counts guesses by username and by email against the same account', async () => {
    // Threat (items 16, 17): with email lookup, alternating username and email doubles the guesses allowed per account.
    const t = await app({ config: { emailLookup: true, rateLimit: { perAccountIp: { points: 4, durationSeconds: 60, blockSeconds: 60, maxBlockSeconds: 60 } } } });
    await createUser(t.prisma, { username: 'dual', email: 'dual@example.test', password: PASSWORD });
    for (const name of ['dual', 'dual@example.test', 'DUAL@example.test', 'dual']) expectWrongPassword(await passwordLogin(t.agent(), name, 'guess'));
    expectThrottled(await passwordLogin(t.agent(), 'dual@example.test', PASSWORD), 60);
    expectThrottled(await passwordLogin(t.agent(), 'dual', PASSWORD), 60);
  });
});

describe('per-account throttle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await app({ config: { rateLimit: { perAccountIp: { points: 3, durationSeconds: 60, blockSeconds: 60, maxBlockSeconds: 600 } } } });
  });

  it('refuses even the correct password after 3 failures, exactly as for an unknown name', async () => {
    // Threat (items 16, 48): unlimited guessing against one account, and a throttle that answers differently for real accounts.
    await createUser(t.prisma, { username: 'target', password: PASSWORD });
    for (let i = 0; i < 3; i++) expectWrongPassword(await passwordLogin(t.agent(), 'target', `guess ${i}`));
    const agent = t.agent();
    const known = await passwordLogin(agent, 'target', PASSWORD);
    expectThrottled(known, 60);
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'target', reason: 'throttled', user: null });

    for (let i = 0; i < 3; i++) expectWrongPassword(await passwordLogin(t.agent(), 'no-such-user', `guess ${i}`));
    const unknown = await passwordLogin(t.agent(), 'no-such-user', PASSWORD);
    expectThrottled(unknown, 60);
    expect(unknown.status).toBe(known.status);
    const message = (html: string) => /<p class="ewl-message ewl-message-error">([^<]*)<\/p>/.exec(html)?.[1];
    expect(message(unknown.text)).toBe(message(known.text));
    expect(message(known.text)).toBe(LOGIN_MESSAGES.throttled);
  });

  it('resets the account counter on a successful login', async () => {
    // Threat (items 17, 48): failures spread between the owner's logins add up and lock the owner out.
    await createUser(t.prisma, { username: 'forgetful', password: PASSWORD });
    for (let i = 0; i < 2; i++) expectWrongPassword(await passwordLogin(t.agent(), 'forgetful', `typo ${i}`));
    expect((await passwordLogin(t.agent(), 'forgetful', PASSWORD)).status).toBe(303);
    for (let i = 0; i < 2; i++) expectWrongPassword(await passwordLogin(t.agent(), 'forgetful', `typo ${i}`));
    const agent = t.agent();
    const res = await passwordLogin(agent, 'forgetful', PASSWORD);
    expect(res.status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('counts wrong old passwords on the password change form against the same account', async () => {
    // Threat (item 16): the change form is an unthrottled oracle for the password of a hijacked session.
    await createUser(t.prisma, { username: 'changer', password: PASSWORD });
    const agent = t.agent();
    expect((await passwordLogin(agent, 'changer', PASSWORD)).status).toBe(303);
    const change = async (old: string) => {
      const token = await csrf(agent, '/accounts/password_change/');
      return agent.post('/accounts/password_change/').type('form').send({ _csrf: token, old_password: old, new_password1: 'new password 99', new_password2: 'new password 99' });
    };
    for (let i = 0; i < 3; i++) {
      const res = await change(`guess ${i}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain(LOGIN_MESSAGES.password_incorrect);
    }
    const res = await change(PASSWORD);
    expect(res.status).toBe(429);
    expect(res.text).toContain(LOGIN_MESSAGES.throttled);
    expect(await new PasswordHasher(TEST_BCRYPT_COST).verify(PASSWORD, (await t.prisma.user.findUniqueOrThrow({ where: { username: 'changer' } })).passwordHash)).toBe(true);
  });

  it('still lets a backed-off account reset its password', async () => {
    // Threat (item 48): an attacker who triggers the lockout also blocks the owner's way back in.
    const user = await createUser(t.prisma, { username: 'locked', email: 'locked@example.test', password: PASSWORD });
    for (let i = 0; i < 3; i++) expectWrongPassword(await passwordLogin(t.agent(), 'locked', `attack ${i}`));
    expectThrottled(await passwordLogin(t.agent(), 'locked', PASSWORD), 60);
    const link = await newResetLink(t, user.id, user.email);
    expect(linksFor(t, user.id)).toEqual([link]);
    const res = await submitNewPassword(t.agent(), link, 'recovered password 1');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/reset/done/');
    const hash = (await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash;
    expect(await new PasswordHasher(TEST_BCRYPT_COST).verify('recovered password 1', hash)).toBe(true);
    // Proving the mailbox lifts the block: the owner logs in at once, from the client that was backed off.
    const agent = t.agent();
    expect((await passwordLogin(agent, 'locked', 'recovered password 1')).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });
});

describe('lockouts are temporary', () => {
  it('lets the owner in again once the window has passed', async () => {
    // Threat (item 20): anyone can lock any account out for good by failing its password on purpose.
    const t = await app({ config: { rateLimit: { perAccountIp: { points: 2, durationSeconds: 1, blockSeconds: 1, maxBlockSeconds: 1 } } } });
    await createUser(t.prisma, { username: 'victim', password: PASSWORD });
    for (let i = 0; i < 2; i++) expectWrongPassword(await passwordLogin(t.agent(), 'victim', `attack ${i}`));
    const blocked = await passwordLogin(t.agent(), 'victim', PASSWORD);
    expectThrottled(blocked, 1);
    // The limiter keeps real time (not the injectable clock): wait out the one-second window.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const agent = t.agent();
    expect((await passwordLogin(agent, 'victim', PASSWORD)).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('blocks for blockSeconds once the limit is reached, even when the counting window is shorter', async () => {
    // Threat (items 16, 17): "points per second" with a long block is configured, but the block never starts.
    const t = await app({ config: { rateLimit: { perAccountIp: { points: 2, durationSeconds: 1, blockSeconds: 60, maxBlockSeconds: 60 } } } });
    await createUser(t.prisma, { username: 'blocked', password: PASSWORD });
    for (let i = 0; i < 2; i++) expectWrongPassword(await passwordLogin(t.agent(), 'blocked', `attack ${i}`));
    const res = await passwordLogin(t.agent(), 'blocked', PASSWORD);
    expectThrottled(res, 60);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(55);
  });

  it('caps the per-account limit at 100 consecutive failures', () => {
    // Threat (item 17): a configuration allows unbounded online guessing.
    const base = { prisma: apps[0]!.prisma, baseUrl: 'http://app.test', logger: { info() {}, warn() {}, error() {} } };
    expect(() => workosLogin({ ...base, rateLimit: { perAccount: { points: 101, durationSeconds: 60 } } })).toThrow(ConfigError);
    expect(() => workosLogin({ ...base, rateLimit: { perAccount: { points: 101, durationSeconds: 60 } } })).toThrow(/rateLimit\.perAccount\.points/);
    const defaults = workosLogin(base).config.rateLimit;
    expect(() => workosLogin({ ...base, rateLimit: { perAccountIp: { points: 101, durationSeconds: 60, blockSeconds: 60, maxBlockSeconds: 60 } } })).toThrow(/rateLimit\.perAccountIp\.points/);
    expect(defaults.perAccount.points).toBeLessThanOrEqual(100);
    expect(defaults.perAccountIp.points).toBeLessThanOrEqual(100);
    expect(defaults.perIp.points).toBeLessThanOrEqual(100);
  });
});

describe('per-IP throttle', () => {
  const perIp = { points: 5, durationSeconds: 60, blockSeconds: 60 };

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    // Threat (item 18): a spoofed X-Forwarded-For on each request mints a fresh per-IP bucket.
    const t = await app({ config: { rateLimit: { perIp } }, configure: (a) => a.set('trust proxy', false) });
    for (let i = 0; i < 5; i++) {
      expectWrongPassword(await login(t.agent(), `spray-${i}`, 'password1', { 'X-Forwarded-For': `203.0.113.${i + 1}` }));
    }
    const res = await login(t.agent(), 'spray-new', 'password1', { 'X-Forwarded-For': '203.0.113.99' });
    expectThrottled(res, 60);
  });

  it('uses X-Forwarded-For from a trusted proxy: each client gets its own bucket', async () => {
    // Threat (items 18, 20): behind a proxy every client shares one bucket, so one attacker locks out everyone.
    const t = await app({ config: { rateLimit: { perIp } }, configure: (a) => a.set('trust proxy', 'loopback') });
    await createUser(t.prisma, { username: 'owner', password: PASSWORD });
    const attacker = { 'X-Forwarded-For': '203.0.113.7' };
    // The attacker hammers the owner's account (below the per-account limit) and others from one address.
    for (let i = 0; i < 5; i++) expectWrongPassword(await login(t.agent(), i < 3 ? 'owner' : `spray-${i}`, `guess ${i}`, attacker));
    expectThrottled(await login(t.agent(), 'spray-x', 'guess', attacker), 60);
    expectThrottled(await login(t.agent(), 'spray-y', 'guess', { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' }), 60);
    // Another client is a fresh bucket, and the owner logs in from there.
    expectWrongPassword(await login(t.agent(), 'spray-z', 'guess', { 'X-Forwarded-For': '203.0.113.8' }));
    const owner = t.agent();
    const res = await login(owner, 'owner', PASSWORD, { 'X-Forwarded-For': '192.0.2.10' });
    expect(res.status).toBe(303);
    expect(await isLoggedIn(owner)).toBe(true);
  });
});
