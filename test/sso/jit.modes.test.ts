// Just-in-time creation by SSO: the rule's mode (off / attributes / idp), usernames (jitUsername formats and
// templates), JIT groups, and the userCreated event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkosLoginEvents } from '../../src/index.ts';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { ssoLogin, whoAmI } from '../support/workos.ts';

const NOT_PROVISIONED = 'Your account has not been provisioned. Please contact your administrator.';

let t: WorkosTestApp;
let priority = 10;
const rule = (sub: string, extra: Record<string, unknown> = {}) =>
  t.login.rules.create({ name: `JIT ${sub}`, method: 'sso', priority: priority++, emailRegex: `@${sub}\\.acme\\.test$`, organizationId: 'org_acme', jitCreation: 'attributes', ...extra });
const person = (email: string, extra: Record<string, unknown> = {}) => ({ profile: { email, firstName: 'New', lastName: 'Person', connectionId: 'conn_acme_saml', ...extra } });

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  await t.prisma.group.createMany({ data: [{ name: 'Engineering' }, { name: 'Acme' }, { name: 'Unrelated' }] });
});
afterAll(() => t.close());

describe('JIT modes', () => {
  // Threat: anyone an IdP vouches for getting an account where the rule does not create accounts.
  it('off: an unknown person is told the account is not provisioned, and nothing is created', async () => {
    await rule('off', { jitCreation: 'off' });
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'new@off.acme.test', person('new@off.acme.test'));
    expect(res.status).toBe(403);
    expect(res.text).toContain(NOT_PROVISIONED);
    expect(await t.prisma.user.count({ where: { email: 'new@off.acme.test' } })).toBe(0);
    expect(await whoAmI(agent)).toBeNull();
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_not_provisioned', rule: { name: 'JIT off' }, username: 'new@off.acme.test' });
  });

  it('attributes: creates the person whose profile email matches the regex', async () => {
    await rule('attr', { jitGroups: ['Engineering', 'Acme'] });
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'ann@attr.acme.test', person('ann@attr.acme.test', { firstName: 'Ann', lastName: 'Attr', idpId: 'idp-ann' }), '/private?x=1');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/private?x=1');
    expect(await whoAmI(agent)).toBe('ann@attr.acme.test');
    const user = await t.prisma.user.findUniqueOrThrow({ where: { username: 'ann@attr.acme.test' }, include: { groups: true, ssoIdentities: true } });
    expect(user).toMatchObject({ email: 'ann@attr.acme.test', firstName: 'Ann', lastName: 'Attr', passwordHash: null, isActive: true, isStaff: false });
    expect(user.groups.map((g) => g.name).sort()).toEqual(['Acme', 'Engineering']);
    expect(user.ssoIdentities).toEqual([expect.objectContaining({ scope: 'org:org_acme', idpId: 'idp-ann', connectionId: 'conn_acme_saml', organizationId: 'org_acme', connectionType: 'OktaSAML' })]);
  });

  // Threat: a tenant's IdP creating accounts for addresses outside the domains the rule covers.
  it('attributes: a profile email outside the regex is not created', async () => {
    await rule('strict');
    const res = await ssoLogin(t, t.agent(), 'bea@strict.acme.test', person('bea@elsewhere.test'));
    expect(res.status).toBe(403);
    expect(res.text).toContain(NOT_PROVISIONED);
    expect(await t.prisma.user.count({ where: { email: 'bea@elsewhere.test' } })).toBe(0);
  });

  it('idp: creates anyone the rule’s organization sends', async () => {
    await rule('idp', { jitCreation: 'idp', lookupAttributes: { hasSso: true } });
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'cy@idp.acme.test', person('cy@contractor.test', { idpId: 'idp-cy' }));
    expect(res.status).toBe(303);
    expect(await whoAmI(agent)).toBe('cy@contractor.test');
  });
});

describe('usernames', () => {
  it('a username template, rendered without escaping', async () => {
    await rule('tpl', { savedAttributes: { username: '{{ profile.first_name | lower }}.{{ profile.last_name | lower }}' } });
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'x@tpl.acme.test', person('dan@tpl.acme.test', { firstName: 'Dan', lastName: "O'Hara" }))).status).toBe(303);
    expect(await whoAmI(agent)).toBe("dan.o'hara");
  });

  // Threat: a JIT account taking over an existing account through a clashing username.
  it('a username that is taken refuses the creation with a message', async () => {
    await createUser(t.prisma, { username: 'taken', email: 'someone@else.test' });
    await rule('taken', { savedAttributes: { username: 'taken' } });
    const users = await t.prisma.user.count();
    const res = await ssoLogin(t, t.agent(), 'eli@taken.acme.test', person('eli@taken.acme.test'));
    expect(res.status).toBe(403);
    expect(res.text).toContain('We could not create your account because its username is already taken.');
    expect(await t.prisma.user.count()).toBe(users);
    expect(await t.prisma.ssoIdentity.count({ where: { user: { username: 'taken' } } })).toBe(0);
  });

  for (const [format, expected] of [
    ['email', 'fay@fmt.acme.test'],
    ['idp_id', 'idp-fay'],
    ['id', /^prof_[0-9A-Z]{26}$/],
  ] as const) {
    it(`jitUsername "${format}"`, async () => {
      const app = await createTestApp({ emulator: true, config: { sso: { jitUsername: format } } });
      try {
        await app.login.rules.create({ name: 'JIT', method: 'sso', priority: 10, emailRegex: '@fmt\\.acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes' });
        const agent = app.agent();
        expect((await ssoLogin(app, agent, 'fay@fmt.acme.test', person('fay@fmt.acme.test', { idpId: 'idp-fay' }))).status).toBe(303);
        const created = app.events.of('userCreated')[0]!;
        expect(created.user.username).toEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected));
        if (format === 'id') expect(created.user.username).toBe(created.profile.id);
        expect(await whoAmI(agent)).toBe(created.user.username);
      } finally {
        await app.close();
      }
    });
  }
});

describe('userCreated', () => {
  it('fires once, after the commit, with the user, the snake_case profile and the rule', async () => {
    const jitRule = await rule('evt', { jitGroups: ['Acme'] });
    const seen: { payload: WorkosLoginEvents['userCreated']; inDb: boolean }[] = [];
    const listener = async (payload: WorkosLoginEvents['userCreated']) => {
      // A listener may read what was created: the transaction has committed.
      seen.push({ payload, inDb: (await t.prisma.ssoIdentity.count({ where: { userId: payload.user.id as number } })) === 1 });
    };
    t.login.on('userCreated', listener);
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'gil@evt.acme.test', person('gil@evt.acme.test', { firstName: 'Gil', lastName: 'Event', idpId: 'idp-gil', groups: ['Eng'], rawAttributes: { dept: 'R&D' } }));
    expect(res.status).toBe(303);
    await ssoLogin(t, t.agent(), 'gil@evt.acme.test', person('gil@evt.acme.test', { firstName: 'Gil', lastName: 'Event', idpId: 'idp-gil' })); // a second login creates nothing
    t.login.off('userCreated', listener);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.inDb).toBe(true);
    const { user, profile, rule: ref } = seen[0]!.payload;
    expect(user).toMatchObject({ username: 'gil@evt.acme.test', email: 'gil@evt.acme.test', firstName: 'Gil', lastName: 'Event', isActive: true });
    expect(user).not.toHaveProperty('passwordHash');
    expect(user).not.toHaveProperty('sessionVersion');
    expect(profile).toEqual({
      id: expect.stringMatching(/^prof_/),
      idp_id: 'idp-gil',
      organization_id: 'org_acme',
      connection_id: 'conn_acme_saml',
      connection_type: 'OktaSAML',
      email: 'gil@evt.acme.test',
      first_name: 'Gil',
      last_name: 'Event',
      raw_attributes: { dept: 'R&D' },
      custom_attributes: {},
      groups: ['Eng'],
      role: { slug: 'member' },
      roles: [{ slug: 'member' }],
    });
    expect(ref).toEqual({ id: jitRule.id, name: 'JIT evt', method: 'sso' });
    expect(t.events.of('login').at(-1)).toMatchObject({ method: 'sso', user: { username: 'gil@evt.acme.test' } });
  });
});
