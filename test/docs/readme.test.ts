// README.md stays a true front door: small, its code runs (the mount, the quick start, the rules example), and its
// tables name exactly the demo logins, router members, configuration keys and events that exist.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, parseConfig } from '../../src/config.ts';
import { ConfigError, LOGIN_FAIL_REASONS, workosLogin, type WorkosLoginConfig, type WorkosLoginEventName, type WorkosLoginRouter } from '../../src/index.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../../examples/basic/seed.ts';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';
import { DEFAULT_CONFIG, docBlocks, docSection, docText, FAKE_PRISMA, parseLiteral, ROOT, SETTINGS_PAGES } from './support.ts';

const readme = docText('README.md');
const ts = docBlocks('README.md').filter((b) => b.lang === 'ts');
/** The backticked names in the first column of a markdown table, per row. */
const firstColumn = (section: string) => [...section.matchAll(/^\| (.+?) \|/gm)].map((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!)).filter((names) => names.length > 0);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('README', () => {
  it('is a front door: at most 20,000 bytes', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000);
  });

  it('the one-line mount works as shown', async () => {
    const config = { prisma: t.prisma, baseUrl: 'http://localhost:3000', password: { bcryptCost: 4 } } satisfies WorkosLoginConfig;
    const app = express();
    app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
    app.use('/accounts', workosLogin(config));
    const res = await supertest(app).get('/accounts/login/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="username"');
  });

  it('the quick start shows examples/quickstart/app.ts and server.ts whole, imports included', () => {
    for (const file of ['app.ts', 'server.ts']) {
      const code = readFileSync(join(ROOT, 'examples/quickstart', file), 'utf8').trim();
      expect(ts.map((b) => b.code.trim()), file).toContain(code);
      expect(code.split('\n').filter((l) => l.startsWith('import ')).length, `${file} shows its imports`).toBeGreaterThan(0);
    }
    expect(docSection('README.md', 'Quick start')).toContain('[`examples/quickstart/app.ts`](examples/quickstart/app.ts)');
  });

  it('the demo logins are the example app\'s', () => {
    const section = docSection('README.md', 'Try it');
    expect(section).toContain(`\`${DEMO_PASSWORD}\``);
    const directory = readFileSync(join(ROOT, 'emulator/demo-directory.json'), 'utf8');
    const names = [...section.matchAll(/^\| .+$/gm)].flatMap((m) => [...m[0].matchAll(/`([\w.-]+(?:@[\w.-]+)?)`/g)].map((n) => n[1]!));
    const logins = names.filter((n) => n.includes('@') || DEMO_USERS.some((u) => u.username === n));
    for (const user of DEMO_USERS) expect(logins).toContain(user.username);
    for (const login of logins.filter((n) => n.includes('@'))) {
      expect(DEMO_USERS.some((u) => u.email === login) || directory.includes(`"email": "${login}"`), login).toBe(true);
    }
  });

  it('the rules example gives staff MFA, acme.com SSO and everyone else the default rule', async () => {
    const login = t.login;
    await login.rules.create({ name: 'Staff: password, then MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true } });
    await login.rules.create({ name: 'Acme SSO', method: 'sso', priority: 20, emailRegex: '@acme\\.com$', organizationId: 'org_acme' });

    const staff = await createUser(t.prisma, { username: 'sam', email: 'sam@acme.com' });
    await t.prisma.user.update({ where: { id: staff.id }, data: { isStaff: true } });
    await createUser(t.prisma, { username: 'olga', email: 'olga@acme.com' });
    await createUser(t.prisma, { username: 'pia', email: 'pia@elsewhere.test' });
    expect((await login.explain('sam')).rule?.name).toBe('Staff: password, then MFA');
    expect((await login.explain('olga')).rule?.name).toBe('Acme SSO');
    expect((await login.explain('pia')).rule?.name).toBe('Username/password login');
  });

  it('the router table lists every member of the router, and each exists', () => {
    // Exhaustive at compile time: a member added to WorkosLoginRouter must be added here, then to the table.
    const members = {
      loadUser: true,
      requireLogin: true,
      logout: true,
      csrfToken: true,
      endSessions: true,
      deactivateUser: true,
      resetMfa: true,
      explain: true,
      rules: true,
      users: true,
      on: true,
      off: true,
      events: true,
      strategies: true,
      config: true,
    } satisfies Record<Exclude<keyof WorkosLoginRouter, keyof Router>, true>;
    const table = docSection('README.md', 'What the router gives you');
    const documented = [...table.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`login\.(\w+)/g)].map((n) => n[1]!));
    expect(documented.sort()).toEqual(Object.keys(members).sort());
    for (const member of documented) expect(t.login[member as keyof typeof members], member).toBeDefined();
  });

  it('the configuration table has one row per top-level key, with the real defaults', () => {
    const section = docSection('README.md', 'Configuration');
    const rows = firstColumn(section).map((names) => names[0]!);
    expect([...rows].sort()).toEqual(Object.keys(configSchema.shape).sort());

    const config = DEFAULT_CONFIG as unknown as Record<string, unknown>;
    const literals = [...section.matchAll(/^\| `(\w+)` \| `([^`]+)` \|/gm)];
    for (const [, key, text] of literals) {
      const actual = config[key!];
      if (text === 'console') expect(actual, key).toBe(console);
      else expect(actual, key).toEqual(parseLiteral(text!));
    }
    // The rest: required keys, options without a default, workos (its row names its env and timeout), and the
    // sections whose rows link to their settings tables (checked row by row in settings.test.ts).
    const described = rows.filter((key) => !literals.some((m) => m[1] === key));
    const sections = Object.keys(SETTINGS_PAGES).filter((key) => described.includes(key));
    expect(described.sort()).toEqual(['baseUrl', 'logoutRedirectUrl', 'notice', 'prisma', 'workos', ...sections].sort());
    for (const key of ['prisma', 'baseUrl']) expect(section, key).toContain(`| \`${key}\` | required |`);
    for (const key of ['logoutRedirectUrl', 'notice']) expect(config[key], key).toBeUndefined();
    expect(section).toContain(`| \`workos\` | keys from env \`WORKOS_API_KEY\` / \`WORKOS_CLIENT_ID\`, \`timeoutMs: ${DEFAULT_CONFIG.workos.timeoutMs}\` |`);
  });

  it('names the real ConfigError code, and the validated config is frozen all the way down', () => {
    const error = (() => {
      try {
        parseConfig({ prisma: FAKE_PRISMA, baseUrl: 'https://app.example.com/path' }, {});
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(docSection('README.md', 'Configuration')).toContain(`\`ConfigError\` (\`code: '${(error as ConfigError).code}'\`)`);
    expect((error as ConfigError).issues).toContain('baseUrl: must be an origin such as https://app.example.com');
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONFIG.password.resetLimit)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONFIG.activeUserFilter)).toBe(true);
  });

  it('the events table lists every event', () => {
    // Exhaustive at compile time, like the router members.
    const events = {
      sendPasswordReset: true,
      sendMagicLink: true,
      userCreated: true,
      login: true,
      loginFailed: true,
      accountThrottled: true,
      mfaEnrolled: true,
      mfaReset: true,
      mfaChanged: true,
      logout: true,
      passwordChanged: true,
      userDeprovisioned: true,
      adminChange: true,
    } satisfies Record<WorkosLoginEventName, true>;
    const rows = firstColumn(docSection('README.md', 'Events')).map((names) => names[0]!);
    expect(rows.sort()).toEqual(Object.keys(events).sort());
  });

  it('the loginFailed row names every reason of LOGIN_FAIL_REASONS (the sso_* ones on the SSO page)', () => {
    const row = docSection('README.md', 'Events').split('\n').find((l) => l.startsWith('| `loginFailed` |'))!;
    const named = [...row.split('`reason` is ')[1]!.split(';')[0]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    const reasons = Object.keys(LOGIN_FAIL_REASONS);
    expect(named.sort()).toEqual(reasons.filter((r) => !r.startsWith('sso_')).sort());
    const ssoTable = docSection('docs/sso-and-jit.md', 'The flow');
    const ssoNamed = new Set([...ssoTable.matchAll(/\| `(sso_\w+)` \|$/gm)].map((m) => m[1]!));
    expect([...ssoNamed].sort()).toEqual(reasons.filter((r) => r.startsWith('sso_')).sort());
    expect(row).toContain('`LOGIN_FAIL_REASONS`');
  });
});
