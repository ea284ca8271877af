// Threat: one rule written straight to the database with a bad regex, bad JSON or a bad filter turns every
// login into a 500 (denial of service). Such rules are skipped and logged; login goes on with the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type TestApp } from '../support/app.ts';

let t: TestApp;
const warned: { message: string; meta?: Record<string, unknown> }[] = [];
const errors: string[] = [];
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp({
    config: { logger: { info() {}, warn: (message, meta) => void warned.push({ message, meta }), error: (m) => void errors.push(m) } },
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
});
afterAll(() => t.close());

describe('rules that fail validation when loaded', () => {
  it('are left out of the list and reported by explain, with their issues', async () => {
    const listed = (await t.login.rules.list()).map((r) => r.name);
    expect(listed).toEqual(['bad where', 'Username/password login']);
    const { broken } = await t.login.explain('alice');
    expect(broken.map((b) => b.name)).toEqual(['bad regex', 'catastrophic regex', 'bad json', 'unknown method', 'proto key']);
    const issuesOf = (name: string) => broken.find((b) => b.name === name)!.issues;
    expect(broken.find((b) => b.name === 'bad regex')?.id).toBe(ids['bad regex']);
    expect(issuesOf('bad regex')).toEqual([{ path: 'emailRegex', message: expect.stringMatching(/^the regular expression is not valid RE2 syntax/) as unknown as string }]);
    expect(issuesOf('catastrophic regex')).toEqual([
      { path: 'emailRegex', message: 'the regular expression uses a backreference (\\1): rule regexes use RE2 syntax, which runs in linear time and has no backreferences or lookaround' },
    ]);
    expect(issuesOf('bad json').map((i) => i.path)).toEqual(['lookupAttributes']);
    expect(issuesOf('unknown method').map((i) => i.path)).toEqual(['method']);
    expect(issuesOf('proto key')).toEqual([{ path: 'lookupAttributes.__proto__', message: 'key "__proto__" is not allowed' }]);
  });

  it('are logged once per load, naming the rule', () => {
    for (const name of ['bad regex', 'catastrophic regex', 'bad json', 'unknown method', 'proto key']) {
      const entries = warned.filter((w) => w.message === `express-workos-login: login rule ${ids[name]} "${name}" is invalid and is skipped`);
      expect(entries).toHaveLength(1);
      expect(entries[0]?.meta).toMatchObject({ ruleId: ids[name] });
    }
  });
});

describe('a rule whose lookup attributes are not a valid user filter', () => {
  it('is skipped at resolution and logged, and the next rule applies', async () => {
    const before = warned.length;
    const e = await t.login.explain('alice');
    expect(e.rule?.name).toBe('Username/password login');
    expect(e.trace.map((v) => [v.name, v.matched])).toEqual([
      ['bad where', false],
      ['Username/password login', true],
    ]);
    const entry = warned.slice(before).find((w) => w.message.includes(`rule ${ids['bad where']} "bad where"`));
    expect(entry?.message).toBe(`express-workos-login: lookup attributes of rule ${ids['bad where']} "bad where" are not a valid user filter; skipped`);
    expect(String(entry?.meta?.error)).toMatch(/Unknown argument `nope`/);
  });
});

describe('login with broken rules in the database', () => {
  it('the username step answers 200 with the password form, not a 500', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'alice' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<label for="id_password">Password</label>');
  });

  it('a password login completes with 303 to the profile', async () => {
    const agent = t.agent();
    const res = await passwordLogin(agent, 'alice', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    const profile = await agent.get('/accounts/profile/');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('profile of alice');
    expect(t.events.of('login').map((e) => e.rule?.name)).toEqual(['Username/password login']);
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('fixing a broken rule', () => {
  it('through update brings it back into the list', async () => {
    const fixed = await t.login.rules.update(ids['bad regex']!, { name: 'bad regex', method: 'sso', connectionId: 'conn_x', priority: 1, emailRegex: '@fixed\\.test$' });
    expect(fixed.emailRegex).toBe('@fixed\\.test$');
    expect((await t.login.rules.list()).map((r) => r.name)).toContain('bad regex');
    expect((await t.login.explain('alice')).broken.map((b) => b.name)).not.toContain('bad regex');
  });
});
