// Threat: one rule written straight to the database with a bad regex, bad JSON or a bad filter turns every
// login into a 500 (denial of service), or is skipped so its users fall through to a weaker rule (H14). Such rules
// are reported and logged, naming them; logins that reach them get a clear 503 page, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type TestApp } from '../support/app.ts';

let t: TestApp;
const warned: { message: string; meta?: Record<string, unknown> }[] = [];
const errors: { message: string; meta?: Record<string, unknown> }[] = [];
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp({
    config: { logger: { info() {}, warn: (message, meta) => void warned.push({ message, meta }), error: (message, meta) => void errors.push({ message, meta }) } },
  });
  await createUser(t.prisma, { username: 'alice', password: PASSWORD });
  // Straight to the database, as a migration or a hand-edit would: no validation on this path.
  const row = async (name: string, priority: number, data: Record<string, unknown>) => {
    ids[name] = (await t.prisma.loginRule.create({ data: { name, method: 'sso', connectionId: 'conn_x', priority, ...data } })).id;
  };
  await row('bad regex', 1, { emailRegex: '([a-z' });
  await row('catastrophic regex', 2, { emailRegex: '^(\\w+)\\1+@' });
  await row('bad json', 3, { lookupAttributes: '{not json' });
  await row('unknown method', 4, { method: 'ldap', connectionId: '', emailRegex: '.*' });
  await row('proto key', 5, { lookupAttributes: '{"__proto__":{"isStaff":false}}', emailRegex: '.*' });
  await row('bad where', 6, { lookupAttributes: '{"nope":1}' });
  await row('disabled and broken', 7, { emailRegex: '([', enabled: false });
});
afterAll(() => t.close());

const BROKEN = ['bad regex', 'catastrophic regex', 'bad json', 'unknown method', 'proto key', 'bad where', 'disabled and broken'];

describe('rules that fail validation when loaded', () => {
  it('are left out of the list and reported by explain, with their issues', async () => {
    const listed = (await t.login.rules.list()).map((r) => r.name);
    expect(listed).toEqual(['Username/password login']);
    const { broken } = await t.login.explain('alice');
    expect(broken.map((b) => b.name)).toEqual(BROKEN);
    const issuesOf = (name: string) => broken.find((b) => b.name === name)!.issues;
    expect(broken.find((b) => b.name === 'bad regex')).toMatchObject({ id: ids['bad regex'], priority: 1, enabled: true });
    expect(broken.find((b) => b.name === 'disabled and broken')).toMatchObject({ priority: 7, enabled: false });
    expect(issuesOf('bad regex')).toEqual([{ path: 'emailRegex', message: expect.stringMatching(/^the regular expression is not valid RE2 syntax/) as unknown as string }]);
    expect(issuesOf('catastrophic regex')).toEqual([
      { path: 'emailRegex', message: 'the regular expression uses a backreference (\\1): rule regexes use RE2 syntax, which runs in linear time and has no backreferences or lookaround' },
    ]);
    expect(issuesOf('bad json').map((i) => i.path)).toEqual(['lookupAttributes']);
    expect(issuesOf('unknown method').map((i) => i.path)).toEqual(['method']);
    expect(issuesOf('proto key')).toEqual([{ path: 'lookupAttributes.__proto__', message: 'key "__proto__" is not allowed' }]);
    // A filter the database refuses is found when the rules are loaded, not at some user's login.
    expect(issuesOf('bad where')).toEqual([{ path: 'lookupAttributes', message: expect.stringMatching(/^not a valid filter on the user model: .*Unknown argument `nope`/s) as unknown as string }]);
  });

  it('are logged once per load, naming the rule: enabled ones as errors, disabled ones as warnings', () => {
    for (const name of BROKEN.slice(0, -1)) {
      const entries = errors.filter((e) => e.message.startsWith(`express-workos-login: login rule ${ids[name]} "${name}" is invalid; logins that reach it`));
      expect(entries, name).toHaveLength(1);
      expect(entries[0]?.meta).toMatchObject({ ruleId: ids[name] });
    }
    const disabled = warned.filter((w) => w.message === `express-workos-login: login rule ${ids['disabled and broken']} "disabled and broken" is invalid (and disabled)`);
    expect(disabled).toHaveLength(1);
  });
});

describe('login with broken rules in the database', () => {
  it('explain says which broken rule blocks the login, and why', async () => {
    const e = await t.login.explain('alice');
    expect(e.rule).toBeNull();
    expect(e.blockedBy).toMatchObject({ id: ids['bad regex'], name: 'bad regex' });
    expect(e.reason).toMatch(new RegExp(`^rule ${ids['bad regex']} "bad regex" \\(priority 1\\) is enabled but broken \\(emailRegex: the regular expression is not valid RE2 syntax`));
    expect(e.reason).toMatch(/so the login is refused until the rule is fixed or disabled$/);
  });

  it('the username step answers 503 "temporarily unavailable", not a 500 and not the next rule', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'alice' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('Login is temporarily unavailable. Please try again later or contact your administrator.');
    expect(res.text).not.toContain('<label for="id_password">Password</label>');
  });

  it('a correct password does not log in, and the refusal is logged naming the rule', async () => {
    const before = errors.length;
    const agent = t.agent();
    const res = await passwordLogin(agent, 'alice', PASSWORD);
    expect(res.status).toBe(503);
    expect(res.text).toContain('Login is temporarily unavailable.');
    expect((await agent.get('/accounts/profile/')).status).toBe(303);
    expect(t.events.of('login')).toEqual([]);
    const refused = errors.slice(before).find((e) => e.message.startsWith(`express-workos-login: login refused for user `));
    expect(refused?.message).toContain(`rule ${ids['bad regex']} "bad regex" (priority 1) is enabled but broken`);
    expect(refused?.meta).toMatchObject({ ruleId: ids['bad regex'] });
  });
});

describe('fixing or disabling the broken rules', () => {
  it('through update brings a rule back into the list', async () => {
    const fixed = await t.login.rules.update(ids['bad regex']!, { name: 'bad regex', method: 'sso', connectionId: 'conn_x', priority: 1, emailRegex: '@fixed\\.test$' });
    expect(fixed.emailRegex).toBe('@fixed\\.test$');
    expect((await t.login.rules.list()).map((r) => r.name)).toContain('bad regex');
    expect((await t.login.explain('alice')).broken.map((b) => b.name)).not.toContain('bad regex');
  });

  it('once none is enabled, the next rule applies and the password logs in again', async () => {
    await t.prisma.loginRule.updateMany({ where: { name: { in: BROKEN.slice(1) } }, data: { enabled: false } });
    t.login.rules.invalidate();
    const e = await t.login.explain('alice');
    expect(e.blockedBy).toBeNull();
    expect(e.rule?.name).toBe('Username/password login');
    const res = await passwordLogin(t.agent(), 'alice', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
  });
});
