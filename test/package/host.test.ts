// A user's own app, built from the packed tarball in an empty folder outside the repository, the way the README says:
// `npm pack`, `npm install` from the registry, `npx express-workos-login init` on a schema whose User already exists
// (uuid ids, mapped names), `prisma migrate dev` and `prisma generate` on PostgreSQL, `doctor`, then the README's
// quick start (app.ts, mail.ts, server.ts) and a fuller host (sessions and the rate limiter in Redis, helmet, its
// own template, requireLogin, event listeners) compiled with TypeScript 5.9 and `skipLibCheck: false`, as ES modules
// and as CommonJS, plus a plain-JavaScript CommonJS host. Each logs in over plain http://localhost.
//
// Needs the npm registry, PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432) and Redis (REDIS_URL or 127.0.0.1:6379).
// It takes a minute or two, so it runs in its own pass: `npm run test:package` (and .ci/run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csrfFrom } from '../support/app.ts';
import { freePort } from '../support/loopback.ts';

const repo = resolve(import.meta.dirname, '../..');
const fixture = join(import.meta.dirname, 'host');
const adminUrl = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? process.env.TEST_DATABASE_URL : 'postgresql://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const engine = resolve(repo, '../shared/prisma/schema-engine');

const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const database = `ewl_host_${run}`;
const keyPrefix = `ewl-host-${run}`;
const work = mkdtempSync(join(tmpdir(), 'ewl-package-'));
const host = join(work, 'host');
const databaseUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  u.search = '';
  return u.toString();
})();
const timings: string[] = [];
const children: ChildProcess[] = [];

/** Runs a command in the host folder as a user would, failing with its output. */
function sh(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; allowFailure?: boolean } = {}) {
  const started = Date.now();
  const r = spawnSync(command, args, {
    cwd: options.cwd ?? host,
    env: { ...userEnv(), ...options.env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  timings.push(`${[command, ...args].join(' ').slice(0, 70)}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (!options.allowFailure && r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${output}`);
  return { status: r.status, stdout: r.stdout ?? '', output };
}

/** The environment of a user's shell: none of this repository's or the test runner's variables. */
function userEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !k.startsWith('npm_') && k !== 'NODE_OPTIONS' && k !== 'TEST_DATABASE_URL' && k !== 'BASE_URL')) as Record<string, string>;
  // The Prisma CLI cannot download its engine on this machine: the stand-in from ../shared/prisma (see scripts/prisma.mjs).
  if (existsSync(engine)) env.PRISMA_SCHEMA_ENGINE_BINARY = engine;
  return { ...env, PRISMA_HIDE_UPDATE_MESSAGE: '1', DATABASE_URL: databaseUrl, NO_COLOR: '1' };
}


interface Server {
  url: string;
  output(): string;
}

/** Starts one of the host's servers on a free port and waits for its "at http://localhost:PORT" line. */
async function start(args: string[], cwd = host): Promise<Server> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...userEnv(), PORT: String(port), BASE_URL: url, SESSION_SECRET: `secret-${run}`, REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${output}`);
      expect(output).toContain(`at http://localhost:${port}`);
    },
    { timeout: 30_000, interval: 100 },
  );
  return { url, output: () => output };
}

/** The README's login: one form, username (or email) and password, over plain http. */
async function logIn(url: string, username: string, password: string) {
  const agent = supertest.agent(url);
  const page = await agent.get('/accounts/login/');
  expect(page.status).toBe(200);
  const res = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username, password });
  return { agent, page, res };
}

let admin: pg.Client;
let redis: Redis;
let userId: string;
const createdAt = Date.now();

beforeAll(async () => {
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  redis = new Redis(redisUrl);

  // npm pack builds (prepack) and packs what a user downloads.
  const packed = sh('npm', ['pack', '--pack-destination', work], { cwd: repo });
  const tarball = join(work, packed.stdout.trim().split('\n').at(-1)!);
  expect(existsSync(tarball)).toBe(true);

  // An empty folder outside the repository, with the host's files.
  cpSync(fixture, host, { recursive: true });
  writeFileSync(join(host, 'package.json'), `${JSON.stringify({ name: 'my-host', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(host, '.env'), `DATABASE_URL="${databaseUrl}"\n`);
  // The README's quick start, as written (the Prisma client's path and adapter are the host's).
  const quickstart = (name: string) => readFileSync(join(repo, 'examples/quickstart', name), 'utf8');
  const replaced = (text: string, pairs: [string, string][]) =>
    pairs.reduce((t, [from, to]) => {
      expect(t, `the quick start no longer contains ${from}`).toContain(from);
      return t.replace(from, to);
    }, text);
  writeFileSync(join(host, 'src/app.ts'), replaced(quickstart('app.ts'), [["'../../generated/sqlite/client.ts'", "'../generated/prisma/client.ts'"]]));
  writeFileSync(join(host, 'src/mail.ts'), quickstart('mail.ts'));
  writeFileSync(
    join(host, 'src/server.ts'),
    replaced(quickstart('server.ts'), [
      ["import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'; // or PrismaPg from @prisma/adapter-pg", "import { PrismaPg } from '@prisma/adapter-pg';"],
      ["new PrismaBetterSqlite3({ url: process.env.DATABASE_URL ?? 'file:./dev.db' })", 'new PrismaPg({ connectionString: process.env.DATABASE_URL! })'],
      ["'../../generated/sqlite/client.ts'", "'../generated/prisma/client.ts'"],
    ]),
  );

  // The README's install line (PostgreSQL flavour) plus what this host uses besides: no @types/passport, no @types/nunjucks.
  sh('npm', [
    'install', '--no-audit', '--no-fund', '--prefer-offline', tarball,
    'express@5', 'express-session', '@prisma/client@7.10', '@prisma/adapter-pg@7.10', 'pg',
    'connect-redis@9', 'redis@5', 'helmet@8', 'dotenv',
  ]);
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', 'prisma@7.10', 'typescript@5.9', '@types/express', '@types/express-session', '@types/node@20']);
}, 300_000);

afterAll(async () => {
  for (const child of children) child.kill();
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  const keys = await redis?.keys(`${keyPrefix}*`);
  if (keys?.length) await redis.del(...keys);
  redis?.disconnect();
  await admin?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin?.end();
  // KEEP_PACKAGE_HOST=1 keeps the folder for a look after a failure.
  if (!process.env.KEEP_PACKAGE_HOST) rmSync(work, { recursive: true, force: true });
  else console.log(`package host kept in ${host}`);
  console.log(`package host test, ${((Date.now() - createdAt) / 1000).toFixed(0)} s:\n  ${timings.join('\n  ')}`);
}, 60_000);

describe('a host built from the packed tarball', () => {
  it('ships what it needs and nothing it does not: no source maps, the demo directory, no emulator-only dependency', () => {
    const pkg = JSON.parse(readFileSync(join(host, 'node_modules/express-workos-login/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
    const shipped = files(join(host, 'node_modules/express-workos-login'));
    expect(shipped.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(shipped.some((f) => f.endsWith('emulator/demo-directory.json'))).toBe(true);
    expect(Object.keys(pkg.dependencies)).not.toContain('otplib');
    expect(Object.keys(pkg.dependencies)).not.toContain('qrcode');
    expect(existsSync(join(host, 'node_modules/otplib'))).toBe(false);
  });

  it('init adds the models to the schema folder, switches the config to it and prints the next two commands', () => {
    const init = sh('npx', ['express-workos-login', 'init']);
    expect(init.stdout).toContain('prisma.config.ts: changed schema to the folder "prisma"');
    expect(init.stdout).toContain('userId columns are String @db.Uuid, like your User.id');
    expect(init.stdout.trim().split('\n').slice(-3)).toEqual(['Next:', '  npx prisma migrate dev --name workos-login', '  npx prisma generate']);
    expect(readFileSync(join(host, 'prisma.config.ts'), 'utf8')).toContain('schema: "prisma",');
    expect(readFileSync(join(host, 'prisma/schema.prisma'), 'utf8')).toContain('passwordHash        String?              @map("password_hash")');

    // The next two commands, as printed.
    sh('npx', ['prisma', 'migrate', 'dev', '--name', 'workos-login']);
    sh('npx', ['prisma', 'generate']);
    expect(existsSync(join(host, 'generated/prisma/models/LoginRule.ts'))).toBe(true);
  });

  it('doctor finds the schema and database right, and says the rules are missing until the app seeds them', () => {
    const doctor = sh('npx', ['express-workos-login', 'doctor'], { allowFailure: true });
    expect(doctor.output).toContain('✓ models: User, Group, LoginRule');
    expect(doctor.output).toContain('✓ User.id is String @db.Uuid');
    expect(doctor.output).toContain('✓ database: every table and column of the schema exists');
    expect(doctor.output).toContain('✗ database: no enabled login rule, so nobody can log in: call `await seedDefaultRule(prisma)`');
    expect(doctor.output).toContain('✓ middleware order: src/full.ts mounts express-session before login');
    expect(doctor.status).toBe(1);
  });

  it('type-checks with TypeScript 5.9, skipLibCheck false and no @types for passport or nunjucks, as ESM and as CommonJS', () => {
    expect(existsSync(join(host, 'node_modules/@types/passport'))).toBe(false);
    expect(existsSync(join(host, 'node_modules/@types/nunjucks'))).toBe(false);
    expect(sh('npx', ['tsc', '--version']).stdout).toMatch(/^Version 5\.9\./);
    sh('npx', ['tsc', '-p', 'tsconfig.json']);
    sh('npx', ['tsc', '-p', 'cjs/tsconfig.json']);
    expect(existsSync(join(host, 'dist/src/server.js'))).toBe(true);
    expect(readFileSync(join(host, 'cjs/dist/src/full.js'), 'utf8')).toContain('require("express-workos-login")');
  });

  it('creates a password user the README way (hashPassword with the default cost): a uuid', () => {
    userId = sh('node', ['dist/src/create-user.js', 'grace', 'Grace@Example.com', 'hopper-1906', 'Grace H']).stdout.trim();
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the README quick start logs in on plain http, by email, with no warning', async () => {
    const server = await start(['dist/src/server.js']);
    const { agent, page, res } = await logIn(server.url, 'grace@example.com', 'hopper-1906');
    expect(page.headers['set-cookie']![0]).toMatch(/^sid=/);
    expect(page.headers['set-cookie']![0]).not.toContain('Secure');
    expect(res.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).text).toBe('Hello grace');
    expect(server.output()).not.toContain('express-workos-login:');

    const doctor = sh('npx', ['express-workos-login', 'doctor']);
    expect(doctor.output).toContain('✓ database: 1 enabled login rule(s), the default "Username/password login" among them');

    // The installed CLI manages rules on the host's own database (its prisma.config.ts, its uuid ids).
    const added = sh('npx', ['express-workos-login', 'rules', 'add', '--name', 'Acme SSO', '--method', 'sso', '--priority', '20', '--email-regex', '@acme\\.test$', '--organization-id', 'org_acme', '--link-existing-by-email', 'false', '--json']);
    expect(JSON.parse(added.stdout)).toMatchObject({ rule: { issues: null, rule: { name: 'Acme SSO', organizationId: 'org_acme', linkExistingByEmail: false } }, warnings: [] });
    const listed = JSON.parse(sh('npx', ['express-workos-login', 'rules', 'list', '--json']).stdout) as { rules: { name: string }[] };
    expect(listed.rules.map((r) => r.name)).toEqual(['Acme SSO', 'Username/password login']);
    expect(sh('npx', ['express-workos-login', 'rules', 'explain', 'grace@example.com']).stdout).toContain('Username/password login');
    const refused = sh('npx', ['express-workos-login', 'rules', 'add', '--name', 'Bad', '--method', 'mfa', '--priority', '30', '--email-regex', '@x\\.test$'], { allowFailure: true });
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('totpOrganizationName');
    sh('npx', ['express-workos-login', 'rules', 'delete', String((JSON.parse(added.stdout) as { rule: { id: number } }).rule.id)]);
  });

  for (const [kind, entry] of [
    ['TypeScript ES modules', 'dist/src/full-server.js'],
    ['TypeScript CommonJS', 'cjs/dist/cjs/full-server.js'],
  ] as const) {
    it(`the fuller host (${kind}): Redis sessions and limits, helmet, its template, requireLogin, events, string ids`, async () => {
      const server = await start([entry]);
      if (kind === 'TypeScript CommonJS') expect(server.output()).toContain(' function'); // `typeof require`: CommonJS indeed
      const anonymous = await supertest(server.url).get('/private').set('Accept', 'text/html');
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.location).toBe('/accounts/login/?next=%2Fprivate');

      const wrong = await logIn(server.url, 'grace', 'not her password');
      expect(wrong.res.status).toBe(401);
      expect(wrong.page.text).toContain('Host Corp (own template)');
      expect(wrong.page.headers['x-dns-prefetch-control']).toBe('off'); // helmet
      expect(await redis.keys(`${keyPrefix}*${userId}*`)).not.toEqual([]); // the failed attempt is counted in Redis, by user id

      const { agent, res } = await logIn(server.url, 'grace', 'hopper-1906');
      expect(res.status).toBe(303);
      const sid = /^sid=s%3A([^.]+)\./.exec(res.headers['set-cookie']![0]!)![1]!;
      expect(await redis.exists(`${keyPrefix}:sess:${sid}`)).toBe(1); // the session lives in Redis
      expect((await agent.get('/private')).body).toEqual({ id: userId, username: 'grace', displayName: 'GRACE H', hasPassword: true });
      await vi.waitFor(() => expect(server.output()).toContain(`[event] login grace ${userId} Grace H password`));
      expect(server.output()).toContain('[event] loginFailed grace invalid_credentials');

      const form = await agent.get('/accounts/login/');
      expect((await agent.post('/end-my-sessions').set('x-csrf-token', csrfFrom(form.text))).body).toEqual({ ended: true });
      expect((await agent.get('/private').set('Accept', 'text/html')).status).toBe(303);
    });
  }

  it('plain JavaScript CommonJS: require("express-workos-login") and log in', async () => {
    const server = await start(['plain.cjs'], join(host, 'cjs'));
    const { agent, res } = await logIn(server.url, 'grace', 'hopper-1906');
    expect(res.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).text).toBe('Hello grace (plain CommonJS)');
  });

  it('the emulator says what to install when its optional packages are missing', () => {
    const r = sh('npx', ['express-workos-login', 'emulator', '--port', '0'], { allowFailure: true });
    expect(r.status).toBe(1);
    expect(r.output).toContain('npm install -D otplib qrcode');
  });
});
