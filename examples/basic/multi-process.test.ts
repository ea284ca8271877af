// The example in production mode as it is deployed: two app PROCESSES (examples/basic/server.ts, each on its own
// port) sharing one PostgreSQL schema, one Redis (a fresh key prefix) and one WorkOS emulator, which this test
// process runs and both apps reach through WORKOS_API_HOSTNAME/PORT. A browser's steps alternate between the
// processes as a load balancer without sticky sessions sends them: every flow, a rule change seen by the other
// process, and a wave of concurrent logins (PRODUCTION_LOGINS: 200 by default, 1,000 in .ci/run) that includes
// first SSO logins of the same new person on both processes at once. It runs in `npm run test:multi`, not `npm test`. Each browser connects from its own loopback
// address (127.1.x.y), as many clients do, so that per-IP limits see many clients instead of one. Needs
// PostgreSQL (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test) and Redis (REDIS_URL, default
// redis://127.0.0.1:6379), which the machine and .ci/run start.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { authenticator } from 'otplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkOSEmulator, DEMO_DIRECTORY, type WorkOSEmulator } from '../../src/emulator/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { freePort, nextLoopbackAddress } from '../../test/support/loopback.ts';
import { openProduction, type ProductionParts } from './production.ts';
import { DEMO_PASSWORD } from './seed.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DATABASE_URL = (process.env.TEST_DATABASE_URL ?? '').startsWith('postgres') ? process.env.TEST_DATABASE_URL! : 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const schema = `mp_${process.pid}_${randomBytes(4).toString('hex')}`;
const prefix = `ewl-test-${schema}:`;
/** Concurrent logins of the wave: 200 by default, 1,000 in .ci/run's multi-instance step. */
const LOGINS = Number(process.env.PRODUCTION_LOGINS ?? 200);
/** How long the documented rule-cache window (docs/login-rules.md: 1 second) is given, with a margin. */
const RULE_WINDOW_MS = 1_100;
/**
 * No request of this test may take longer; a hung process fails the test instead of stalling it. Generous: at the
 * back of a wave of 1,000 logins on a busy 2-core machine a request waits behind hundreds of others.
 */
const REQUEST_TIMEOUT_MS = 60_000;

interface App {
  name: string;
  port: number;
  child: ChildProcess;
  /** The last lines the process printed, shown when it fails. */
  output: string[];
}


const apps: App[] = [];
let emulator: WorkOSEmulator;
let db: ProductionParts | null = null;
let a: App;
let b: App;
let publicUrl: string;

// A process left behind would keep its port and its database connections: kill it even if this worker exits early.
const killAll = () => {
  for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGKILL');
};

/** Starts examples/basic/server.ts as `npm start` does, in production mode, and waits until it listens. */
async function startApp(name: string): Promise<App> {
  const port = await freePort();
  // The child exits when its stdin closes, i.e. when this process goes away, however it goes.
  const launcher = "process.stdin.on('end', () => process.exit(0)).resume(); await import('./examples/basic/server.ts');";
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', launcher], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: String(port),
      // Behind a load balancer every instance has the same public origin.
      BASE_URL: publicUrl,
      DATABASE_URL: `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      BCRYPT_COST: '4',
      SESSION_SECRET: 'multi-process-test-secret',
      WORKOS_API_KEY: emulator.apiKey,
      WORKOS_CLIENT_ID: emulator.clientId,
      WORKOS_API_HOSTNAME: emulator.sdkOptions.apiHostname,
      WORKOS_API_PORT: String(emulator.sdkOptions.port),
      WORKOS_API_HTTPS: 'false',
    },
  });
  const app: App = { name, port, child, output: [] };
  apps.push(app);
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      app.output.push(...chunk.split('\n').filter(Boolean));
      if (app.output.length > 10_000) app.output.splice(0, app.output.length - 10_000);
    });
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${app.output.join('\n')}`)), 60_000);
    const check = () => {
      if (!app.output.some((l) => l.startsWith('express-workos-login example at'))) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} while starting:\n${app.output.join('\n')}`));
    });
  });
  return app;
}

async function stopApp(app: App): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A browser: one cookie jar and one client address; each request goes to the process given. */
class Browser {
  cookie = '';
  readonly address = nextLoopbackAddress();

  send(at: App, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Res> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise<Res>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: at.port,
          localAddress: this.address,
          method,
          path,
          agent: false,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            // As a load balancer forwards it: the public host, whichever process answers.
            host: new URL(publicUrl).host,
            ...(this.cookie && { cookie: this.cookie }),
            ...(body !== undefined && { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const sid = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sid='));
            if (sid) this.cookie = sid.split(';')[0]!;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} on ${at.name}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  get(at: App, path: string): Promise<Res> {
    return this.send(at, 'GET', path);
  }

  /** Submits a form shown on `page` (its CSRF token) to `path` on `at`. */
  submit(at: App, path: string, page: Res, form: Record<string, string>): Promise<Res> {
    return this.send(at, 'POST', path, { _csrf: csrfFrom(page.text), ...form });
  }

  /** GETs `path` on `from` for its form, then POSTs the form to `at`. */
  async post(at: App, path: string, form: Record<string, string>, from: App): Promise<Res> {
    return this.submit(at, path, await this.get(from, path), form);
  }

  async whoAmI(at: App): Promise<string | null> {
    const res = await this.get(at, '/accounts/profile/');
    if (res.status !== 200) return null;
    return /<dt>Username<\/dt><dd>([^<]+)<\/dd>/.exec(res.text)?.[1] ?? null;
  }
}

/** A path on the app from a URL the emulator sends the browser to (the public origin). */
function onApp(url: string): string {
  const u = new URL(url);
  expect(u.origin).toBe(publicUrl);
  return u.pathname + u.search;
}

/** Password step of a login: the name on one process, the password on the other. */
async function passwordSteps(browser: Browser, first: App, second: App, username: string): Promise<Res> {
  const asked = await browser.post(first, '/accounts/login/', { username }, second);
  expect(asked.status).toBe(200);
  expect(asked.text).toContain('name="password"');
  return browser.submit(second, '/accounts/login/', asked, { username, password: DEMO_PASSWORD });
}

async function addUsers(users: { username: string; email: string; groups?: string[] }[]): Promise<void> {
  const prisma = db!.prisma;
  const passwordHash = (await prisma.user.findUniqueOrThrow({ where: { username: 'pat' } })).passwordHash!;
  for (const u of users) {
    await prisma.user.create({ data: { username: u.username, email: u.email, passwordHash, groups: { connect: (u.groups ?? []).map((name) => ({ name })) } } });
  }
}

beforeAll(async () => {
  process.once('exit', killAll);
  emulator = await createWorkOSEmulator({ directory: DEMO_DIRECTORY });
  publicUrl = `http://localhost:${await freePort()}`;
  // One after the other: the first migrates the fresh schema and seeds the demo data, the second finds both done.
  a = await startApp('A');
  b = await startApp('B');
  db = await openProduction({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, schema, migrate: false, redisPrefix: prefix });
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map(stopApp));
  process.off('exit', killAll);
  await emulator?.close();
  if (db) {
    const keys = await db.redis.keys(`${prefix}*`);
    if (keys.length) await db.redis.del(...keys);
    await db.close();
  }
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}, 30_000);

describe('production mode, two processes', () => {
  it('password: the name on A, the password on B, the profile on A; logging out on B ends the session on A', async () => {
    const browser = new Browser();
    const done = await passwordSteps(browser, b, a, 'pat');
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/accounts/profile/');
    expect(await browser.whoAmI(b)).toBe('pat');
    const profile = await browser.get(a, '/accounts/profile/');
    const out = await browser.submit(b, '/accounts/logout/', profile, {});
    expect(out.status).toBe(303);
    expect(await browser.whoAmI(a)).toBeNull();
  });

  it('MFA TOTP: enrolled with steps on alternate processes, then a later login verified on the other one', async () => {
    await addUsers([{ username: 'totp-user', email: 'totp@acme.test', groups: ['MFA Required'] }]);
    const browser = new Browser();
    expect((await passwordSteps(browser, a, b, 'totp-user')).headers.location).toBe('/accounts/enroll/');
    const started = await browser.submit(b, '/accounts/enroll-totp/', await browser.get(a, '/accounts/enroll/'), { action: 'start' });
    expect(started.headers.location).toBe('/accounts/enroll-totp/');
    const page = await browser.get(a, '/accounts/enroll-totp/');
    const secret = /<code class="ewl-secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1]?.replace(/ /g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const code = (steps = 0) => authenticator.clone({ epoch: emulator.clock.now() + steps * 30_000 }).generate(secret!);
    const shown = await browser.submit(b, '/accounts/enroll-totp/', page, { action: 'verify', code: code() });
    expect(shown.status).toBe(200);
    expect(shown.text.match(/<li><code>[A-Z2-7]{5}-[A-Z2-7]{5}<\/code><\/li>/g)).toHaveLength(10);
    expect((await browser.submit(a, '/accounts/recovery-codes/', shown, {})).headers.location).toBe('/accounts/profile/');
    expect(await browser.whoAmI(b)).toBe('totp-user');

    // The enrollment code is spent (on both processes: the used-code cache is in Redis); the next step's code works.
    emulator.clock.advance(30_000);
    const later = new Browser();
    expect((await passwordSteps(later, b, a, 'totp-user')).headers.location).toBe('/accounts/verify/');
    const verify = await later.get(b, '/accounts/verify/');
    expect(verify.status).toBe(200);
    const ok = await later.submit(a, '/accounts/verify/', verify, { code: code() });
    expect(ok.headers.location).toBe('/accounts/profile/');
    expect(await later.whoAmI(b)).toBe('totp-user');
    // The same code again, on the other process, in another browser: refused.
    const replay = new Browser();
    await passwordSteps(replay, a, b, 'totp-user');
    const again = await replay.submit(a, '/accounts/verify/', await replay.get(b, '/accounts/verify/'), { code: code() });
    expect(again.status).toBe(401);
    expect(await replay.whoAmI(b)).toBeNull();
  });

  it('MFA SMS: the code from the emulator outbox, entered on the other process, at enrollment and at a later login', async () => {
    const phone = '+15005550191';
    await addUsers([{ username: 'sms-user', email: 'sms@acme.test', groups: ['MFA Required'] }]);
    const browser = new Browser();
    expect((await passwordSteps(browser, b, a, 'sms-user')).headers.location).toBe('/accounts/enroll/');
    const sent = await browser.submit(a, '/accounts/enroll-sms/', await browser.get(b, '/accounts/enroll/'), { action: 'enroll', phone_number: phone });
    expect(sent.headers.location).toBe('/accounts/enroll-sms/');
    const enrollCode = emulator.outbox.latest(phone)?.code;
    expect(enrollCode).toMatch(/^\d{6}$/);
    const shown = await browser.submit(a, '/accounts/enroll-sms/', await browser.get(b, '/accounts/enroll-sms/'), { action: 'verify', code: enrollCode! });
    expect(shown.status).toBe(200);
    expect((await browser.submit(b, '/accounts/recovery-codes/', shown, {})).headers.location).toBe('/accounts/profile/');
    expect(await browser.whoAmI(a)).toBe('sms-user');

    const later = new Browser();
    expect((await passwordSteps(later, a, b, 'sms-user')).headers.location).toBe('/accounts/verify/');
    const send = await later.submit(a, '/accounts/verify/', await later.get(b, '/accounts/verify/'), { action: 'send' });
    expect(send.headers.location).toBe('/accounts/verify/');
    const loginCode = emulator.outbox.latest(phone)?.code;
    expect(loginCode).toMatch(/^\d{6}$/);
    expect(loginCode).not.toBe(enrollCode);
    const ok = await later.submit(b, '/accounts/verify/', await later.get(a, '/accounts/verify/'), { code: loginCode! });
    expect(ok.headers.location).toBe('/accounts/profile/');
    expect(await later.whoAmI(a)).toBe('sms-user');
  });

  it('magic link: asked for on A, the Magic Auth code from the emulator outbox typed on B', async () => {
    const browser = new Browser();
    const asked = await browser.post(a, '/accounts/login/', { username: 'magic' }, b);
    expect(asked.headers.location).toBe('/accounts/complete/');
    const page = await browser.get(b, '/accounts/complete/');
    expect(page.text).toContain('6-digit');
    const mail = emulator.outbox.latest('magic@example.com');
    expect(mail?.kind).toBe('email');
    const done = await browser.submit(a, '/accounts/magic/code/', page, { code: mail!.code! });
    expect(done.headers.location).toBe('/accounts/profile/');
    expect(await browser.whoAmI(b)).toBe('magic');
  });

  it('SSO with JIT: alice starts on A, comes back from the IdP to B and is created there once, with her profile', async () => {
    expect(await db!.prisma.user.count({ where: { email: 'alice@foo-corp.com' } })).toBe(0);
    const browser = new Browser();
    const started = await browser.post(a, '/accounts/login/', { username: 'alice@foo-corp.com' }, b);
    expect(started.status).toBe(303);
    const back = await browser.get(b, onApp(await emulator.idp.signIn(started.headers.location!, { email: 'alice@foo-corp.com' })));
    expect(back.headers.location).toBe('/accounts/profile/');
    expect(await browser.whoAmI(a)).toBe('alice@foo-corp.com');
    const alice = await db!.prisma.user.findFirstOrThrow({ where: { email: 'alice@foo-corp.com' }, include: { profile: true, location: true, groups: true, ssoIdentities: true } });
    expect(alice.profile).toMatchObject({ organizationName: 'Foo Corp', title: 'Staff Engineer' });
    expect(alice.location?.locationId).toBe('loc-hq');
    expect(alice.groups.map((g) => g.name)).toEqual(['Foo Corp']);
    expect(alice.ssoIdentities).toHaveLength(1);

    // Her second login, the other way round, finds the same account.
    const again = new Browser();
    const restarted = await again.post(b, '/accounts/login/', { username: 'alice@foo-corp.com' }, a);
    expect((await again.get(a, onApp(await emulator.idp.signIn(restarted.headers.location!, { email: 'alice@foo-corp.com' })))).headers.location).toBe('/accounts/profile/');
    expect(await again.whoAmI(b)).toBe('alice@foo-corp.com');
    expect(await db!.prisma.user.count({ where: { email: 'alice@foo-corp.com' } })).toBe(1);
  });

  it('a rule moved in the admin on A applies to logins on B within the documented second; moved back on B, back on A', async () => {
    // switch@example.com is in "MFA Required" (priority 10) and matches "Magic link for example.com" (20): MFA wins.
    await addUsers([{ username: 'switch', email: 'switch@example.com', groups: ['MFA Required'] }]);
    const rules = await db!.prisma.loginRule.findMany();
    const magicRule = rules.find((r) => r.name === 'Magic link for example.com')!;
    const mfaRule = rules.find((r) => r.name === 'MFA Required group')!;
    const stepTwo = async (at: App) => new Browser().post(at, '/accounts/login/', { username: 'switch' }, at);
    // Both processes have the rules loaded (a snapshot each trusts for up to a second) before A changes them.
    for (const app of [a, b]) expect((await stepTwo(app)).text).toContain('name="password"');

    const staff = new Browser();
    expect((await passwordSteps(staff, a, b, 'admin')).headers.location).toBe('/accounts/profile/');
    const moved = await staff.submit(a, `/accounts/admin/rules/${magicRule.id}/move/`, await staff.get(a, '/accounts/admin/'), { to: 'top' });
    expect(moved.status).toBe(303);

    const mails = () => emulator.outbox.messages().filter((m) => m.to === 'switch@example.com' && m.kind === 'email');
    expect(mails()).toEqual([]);
    await new Promise((r) => setTimeout(r, RULE_WINDOW_MS));
    expect((await stepTwo(b)).headers.location).toBe('/accounts/complete/');
    expect(mails()).toHaveLength(1);

    // The admin's session is in Redis too: B moves the MFA rule back on top, and A follows.
    const back = await staff.submit(b, `/accounts/admin/rules/${mfaRule.id}/move/`, await staff.get(b, '/accounts/admin/'), { to: 'top' });
    expect(back.status).toBe(303);
    await new Promise((r) => setTimeout(r, RULE_WINDOW_MS));
    expect((await stepTwo(a)).text).toContain('name="password"');
  });

  it(`${LOGINS} concurrent logins over both processes, first SSO logins of the same new people on both at once among them: no error, no lost session, one account per person`, async () => {
    const users = Array.from({ length: 20 }, (_, i) => `load-${i}`);
    await addUsers(users.map((username) => ({ username, email: `${username}@acme.test` })));
    // One login in ten is a first SSO login; its person logs in on both processes at once.
    const people = Array.from({ length: Math.max(1, Math.floor(LOGINS / 20)) }, (_, i) => `new-${i}@foo-corp.com`);
    const failures: string[] = [];
    const check = (what: string, ok: boolean) => {
      if (!ok) failures.push(what);
    };
    const logins: { browser: Browser; expected: string; last: App }[] = [];

    const passwordLogin = async (i: number) => {
      const browser = new Browser();
      const username = users[i % users.length]!;
      const [first, second] = i % 2 ? [a, b] : [b, a];
      const res = await browser.post(first, '/accounts/login/', { username, password: DEMO_PASSWORD }, second);
      check(`password login ${i}: ${res.status} ${res.headers.location ?? ''}`, res.status === 303 && res.headers.location === '/accounts/profile/');
      const who = await browser.whoAmI(second);
      check(`password login ${i}: logged in as ${who} on ${second.name}, not ${username}`, who === username);
      logins.push({ browser, expected: username, last: second });
    };

    const firstSsoLogins = async (email: string, n: number) => {
      const profile = { email, firstName: 'New', lastName: `Person ${n}`, idpId: `idp-new-${n}`, rawAttributes: { organization_name: 'Foo Corp', title: 'Engineer', locationUuid: 'loc-hq' } };
      // Two browsers of the same person: one starts on A, the other on B; each comes back to the other process.
      const legs = await Promise.all(
        ([[a, b], [b, a]] as const).map(async ([first, second]) => {
          const browser = new Browser();
          const started = await browser.post(first, '/accounts/login/', { username: email }, second);
          check(`SSO ${email} on ${first.name}: ${started.status}`, started.status === 303);
          const callback = onApp(await emulator.idp.signIn(started.headers.location!, { profile }));
          return { browser, callback, second, first };
        }),
      );
      // Both callbacks at the same moment: the two processes race to create the account.
      const backs = await Promise.all(legs.map((l) => l.browser.get(l.second, l.callback)));
      for (const [k, back] of backs.entries()) {
        const leg = legs[k]!;
        check(`SSO ${email} back on ${leg.second.name}: ${back.status} ${back.headers.location ?? ''} ${/role="alert"[^<]*<[^>]*>([^<]*)/.exec(back.text)?.[1] ?? ''}`, back.status === 303 && back.headers.location === '/accounts/profile/');
        const who = await leg.browser.whoAmI(leg.first);
        check(`SSO ${email}: logged in as ${who} on ${leg.first.name}`, who === email);
        logins.push({ browser: leg.browser, expected: email, last: leg.first });
      }
    };

    const passwordCount = LOGINS - 2 * people.length;
    await Promise.all([
      ...Array.from({ length: passwordCount }, (_, i) => passwordLogin(i).catch((err: Error) => void failures.push(`password login ${i}: ${err.message}`))),
      ...people.map((email, n) => firstSsoLogins(email, n).catch((err: Error) => void failures.push(`SSO ${email}: ${err.message}`))),
    ]);
    expect(failures, `${failures.length} failures, the first ones:\n${failures.slice(0, 20).join('\n')}`).toEqual([]);
    expect(logins).toHaveLength(LOGINS);

    // Every session is still there afterwards, on the process the browser did not use last.
    const lost: string[] = [];
    await Promise.all(
      logins.map(async ({ browser, expected, last }) => {
        const other = last === a ? b : a;
        const who = await browser.whoAmI(other);
        if (who !== expected) lost.push(`${expected} on ${other.name}: ${who}`);
      }),
    );
    expect(lost).toEqual([]);

    // Exactly one account (and one SSO identity) per person, however many logins raced to create it.
    const created = await db!.prisma.user.findMany({ where: { email: { in: people } }, include: { ssoIdentities: true } });
    expect(created.map((u) => u.email).sort()).toEqual([...people].sort());
    expect(created.filter((u) => u.ssoIdentities.length !== 1)).toEqual([]);
    // ... and one `userCreated` event per person, from whichever process won.
    const createdLines = (email: string) => apps.flatMap((app) => app.output.filter((l) => l.startsWith(`[audit] ${email} was created just in time`)));
    const deadline = Date.now() + 5_000;
    while (people.some((email) => createdLines(email).length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(people.filter((email) => createdLines(email).length !== 1)).toEqual([]);
    const duplicates = await db!.prisma.user.groupBy({ by: ['email'], _count: { _all: true }, having: { email: { _count: { gt: 1 } } } });
    expect(duplicates).toEqual([]);
  }, 90_000 + LOGINS * 90);

  it('neither process logged an error', () => {
    for (const app of apps) {
      expect(app.child.exitCode).toBeNull();
      // The example's own error page, the library's 5xx line, and anything uncaught.
      expect(app.output.filter((l) => /\[error\]|^express-workos-login: \w+ on (GET|POST) |Unhandled|^\s+at /.test(l))).toEqual([]);
    }
  });
});
