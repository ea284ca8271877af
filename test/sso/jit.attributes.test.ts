// Saved attributes at JIT creation, through the emulator into a real database: user fields, a 1-1 profile, a
// one-to-many list, `~` / `!` links to shared records, type coercion, values stored verbatim (never escaped,
// never evaluated), and the checks that refuse a bad rule when it is saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../src/index.ts';
import { createTestApp, type WorkosTestApp } from '../support/app.ts';
import { ssoLogin } from '../support/workos.ts';

const NOT_PROVISIONED = 'Your account has not been provisioned. Please contact your administrator.';

let t: WorkosTestApp;
let priority = 10;
const rule = (sub: string, savedAttributes: Record<string, unknown>) =>
  t.login.rules.create({ name: `JIT ${sub}`, method: 'sso', priority: priority++, emailRegex: `@${sub}\\.acme\\.test$`, organizationId: 'org_acme', jitCreation: 'attributes', savedAttributes });
const signIn = (email: string, rawAttributes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ssoLogin(t, t.agent(), email, { profile: { email, firstName: 'Pat', lastName: 'Jit', connectionId: 'conn_acme_saml', rawAttributes, ...extra } });
const userOf = (email: string) =>
  t.prisma.user.findFirstOrThrow({ where: { email }, include: { profile: true, location: true, emailAddresses: { orderBy: { id: 'asc' } }, groups: true } });

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  await t.prisma.location.create({ data: { locationId: 'loc-hq', address: '1 Main St' } });
});
afterAll(() => t.close());

describe('user fields and related records', () => {
  it('writes user fields, a 1-1 profile (coerced types) and a one-to-many list', async () => {
    await rule('rel', {
      isStaff: '{{ profile.raw_attributes.staff }}',
      profile: {
        organizationName: '{{ profile.raw_attributes.org }}',
        title: '{{ profile.raw_attributes.title | trim }}',
        employeeNumber: '{{ profile.raw_attributes.employee }}',
        isManager: '{{ profile.raw_attributes.manager }}',
      },
      emailAddresses: [{ address: '{{ profile.email | lower }}' }, { address: '{{ profile.raw_attributes.home }}', kind: 'home' }],
    });
    const res = await signIn('Rita@Rel.acme.test', { staff: 'yes', org: 'Acme Inc.', title: ' Lead ', employee: '0042', manager: 'false', home: 'rita@home.test' });
    expect(res.status).toBe(303);
    const user = await userOf('Rita@Rel.acme.test');
    expect(user.isStaff).toBe(true);
    expect(user.profile).toMatchObject({ organizationName: 'Acme Inc.', title: 'Lead', employeeNumber: 42, isManager: false });
    expect(user.emailAddresses.map((e) => [e.address, e.kind])).toEqual([
      ['rita@rel.acme.test', 'work'],
      ['rita@home.test', 'home'],
    ]);
  });

  // Threat: stored values corrupted by HTML escaping (the original stored O&#x27;Brien).
  it("stores O'Brien & Co verbatim", async () => {
    await rule('obrien', { lastName: '{{ profile.raw_attributes.surname }}', profile: { organizationName: '{{ profile.raw_attributes.org }}' } });
    expect((await signIn('o@obrien.acme.test', { surname: "O'Brien", org: "O'Brien & Co <Ltd>" })).status).toBe(303);
    const user = await userOf('o@obrien.acme.test');
    expect(user.lastName).toBe("O'Brien");
    expect(user.profile?.organizationName).toBe("O'Brien & Co <Ltd>");
  });

  // Threat: server-side template injection through a profile value controlled at the IdP (item 3).
  it('a template inside a profile value stays literal', async () => {
    await rule('ssti', { profile: { title: '{{ profile.raw_attributes.title }}', organizationName: 'x{{ profile.first_name }}' } });
    expect((await signIn('s@ssti.acme.test', { title: '{{ 7*7 }}{% raw %}' }, { firstName: '{{ range(3) }}' })).status).toBe(303);
    const user = await userOf('s@ssti.acme.test');
    expect(user.profile?.title).toBe('{{ 7*7 }}{% raw %}');
    expect(user.profile?.organizationName).toBe('x{{ range(3) }}');
    expect(user.firstName).toBe('{{ range(3) }}');
  });
});

describe('linking shared records', () => {
  it('~rel found: links the existing record without changing it', async () => {
    await rule('tfound', { '~location': { locationId: '{{ profile.raw_attributes.loc }}' }, location: { address: '{{ profile.raw_attributes.addr }}' } });
    expect((await signIn('a@tfound.acme.test', { loc: 'loc-hq', addr: 'Somewhere else' })).status).toBe(303);
    const user = await userOf('a@tfound.acme.test');
    expect(user.location).toMatchObject({ locationId: 'loc-hq', address: '1 Main St' });
    expect(await t.prisma.location.count()).toBe(1);
  });

  it('~rel not found: left unset; with plain rel data: created from the lookup and the data', async () => {
    await rule('tunset', { '~location': { locationId: '{{ profile.raw_attributes.loc }}' } });
    expect((await signIn('b@tunset.acme.test', { loc: 'loc-nowhere' })).status).toBe(303);
    expect((await userOf('b@tunset.acme.test')).location).toBeNull();
    expect(await t.prisma.location.count({ where: { locationId: 'loc-nowhere' } })).toBe(0);

    await rule('tcreate', { '~location': { locationId: '{{ profile.raw_attributes.loc }}' }, location: { address: '{{ profile.raw_attributes.addr }}' } });
    expect((await signIn('c@tcreate.acme.test', { loc: 'loc-new', addr: '2 New Rd' })).status).toBe(303);
    expect((await userOf('c@tcreate.acme.test')).location).toMatchObject({ locationId: 'loc-new', address: '2 New Rd' });
    // A missing attribute never matches or creates a record keyed by an empty value.
    expect((await signIn('d@tcreate.acme.test', { addr: '3 Empty St' })).status).toBe(303);
    expect((await userOf('d@tcreate.acme.test')).location).toBeNull();
    expect(await t.prisma.location.count({ where: { locationId: '' } })).toBe(0);
  });

  it('!rel found: links', async () => {
    await rule('bfound', { '!location': { locationId: '{{ profile.raw_attributes.loc }}' } });
    expect((await signIn('e@bfound.acme.test', { loc: 'loc-hq' })).status).toBe(303);
    expect((await userOf('e@bfound.acme.test')).location?.locationId).toBe('loc-hq');
  });

  it('!rel not found: the user is not created (nothing is), and is told so', async () => {
    await rule('bmissing', { '!location': { locationId: '{{ profile.raw_attributes.loc }}' }, location: { address: 'would be created with ~' }, profile: { title: 'x' } });
    const before = { users: await t.prisma.user.count(), locations: await t.prisma.location.count(), profiles: await t.prisma.profile.count() };
    for (const attrs of [{ loc: 'loc-unknown' }, {}]) {
      const res = await signIn('f@bmissing.acme.test', attrs);
      expect(res.status).toBe(403);
      expect(res.text).toContain(NOT_PROVISIONED);
    }
    expect({ users: await t.prisma.user.count(), locations: await t.prisma.location.count(), profiles: await t.prisma.profile.count() }).toEqual(before);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_not_provisioned', rule: { name: 'JIT bmissing' } });
  });
});

describe('rules with bad saved attributes are refused when saved', () => {
  const refused = async (savedAttributes: unknown, path: string, message: string | RegExp) => {
    const err = await t.login.rules
      .create({ name: `bad ${priority}`, method: 'sso', priority: priority++, emailRegex: '@bad\\.test$', organizationId: 'org_acme', jitCreation: 'attributes', savedAttributes: savedAttributes as Record<string, unknown> })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleValidationError);
    expect((err as RuleValidationError).issues).toContainEqual({ path, message: typeof message === 'string' ? message : expect.stringMatching(message) });
  };

  // Threat: code execution through a template an administrator (or an attacker with admin access) saves.
  it('a template with a function call', () => refused({ profile: { title: '{{ range(10) }}' } }, 'savedAttributes.profile.title', 'template function calls are not allowed'));
  it('a template reaching for constructor', () => refused({ title: '{{ profile.constructor.name }}' }, 'savedAttributes.title', 'template the key "constructor" is not allowed'));
  it('a {% set %} / {% include %} tag', () => refused({ username: '{% include "x.html" %}' }, 'savedAttributes.username', 'template {% include %} is not allowed (only text and {{ profile.… }} outputs)'));

  // Threat: prototype pollution through saved-attribute keys (item 49).
  it('__proto__, constructor and prototype keys', async () => {
    await refused(JSON.parse('{"__proto__": {"isStaff": true}}'), 'savedAttributes.__proto__', 'key "__proto__" is not allowed');
    await refused({ profile: { constructor: 'x' } }, 'savedAttributes.profile.constructor', 'key "constructor" is not allowed');
    await refused({ prototype: 1 }, 'savedAttributes.prototype', 'key "prototype" is not allowed');
  });

  // Threat: saved attributes writing columns the library owns or that do not exist (item 49).
  it('fields that do not exist or that the library owns', async () => {
    await refused({ passwordHash: 'x' }, 'savedAttributes.passwordHash', 'User has no field "passwordHash" that saved attributes may write');
    await refused({ sessionVersion: 0 }, 'savedAttributes.sessionVersion', /no field "sessionVersion"/);
    await refused({ nickname: 'x' }, 'savedAttributes.nickname', /no field "nickname"/);
    await refused({ profile: { salary: '1' } }, 'savedAttributes.profile.salary', 'Profile has no field "salary" that saved attributes may write');
    await refused({ ssoIdentities: [{ idpId: 'x' }] }, 'savedAttributes.ssoIdentities', /no relation "ssoIdentities"/);
    await refused({ '~profile': { title: 'x' } }, 'savedAttributes.~profile', /links a record many users share/);
    await refused({ isStaff: 'perhaps' }, 'savedAttributes.isStaff', 'expected true/false, yes/no or 1/0 for Boolean field "isStaff"');
  });

  // Threat: a rule written straight into the database, around the validator, carrying a refused template.
  it('a rule stored with a refused template is never used: listed as broken, logins that reach it are refused', async () => {
    const smuggled = await t.prisma.loginRule.create({
      data: { name: 'Smuggled', method: 'sso', priority: 1, emailRegex: '@smuggled\\.acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes', savedAttributes: JSON.stringify({ title: '{{ range(3) }}' }) },
    });
    t.login.rules.invalidate();
    const explained = await t.login.explain('x@smuggled.acme.test');
    expect(explained.broken).toContainEqual({ id: smuggled.id, name: 'Smuggled', priority: 1, enabled: true, issues: [{ path: 'savedAttributes.title', message: 'template function calls are not allowed' }] });
    expect(explained.rule).toBeNull();
    expect(explained.blockedBy?.name).toBe('Smuggled');
    // Step 2 neither sends the person to SSO under the broken rule nor lets them fall through to another rule.
    const step2 = await t.agent().get('/accounts/login/?username=x@smuggled.acme.test&start=true');
    expect(step2.status).toBe(503);
    expect(step2.text).toContain('Login is temporarily unavailable.');
    expect(step2.text).not.toContain('name="password"');
    await t.prisma.loginRule.delete({ where: { id: smuggled.id } });
    t.login.rules.invalidate();
  });
});
