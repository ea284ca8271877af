// Threat: account takeover at the first SSO login (checklist item 35). An existing local account (`erin`, whose rule
// is Microsoft) that never used SSO is linked to whatever identity first presents her email: a Microsoft account
// with an unverified `erin@outlook.test` takes it over. Linking an existing account by email is a per-rule opt-in
// (`linkExistingByEmail`), on by default only for SAML rules bound to an organization or a connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../src/index.ts';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { ssoLogin, whoAmI } from '../support/workos.ts';

let t: WorkosTestApp;
const ids: Record<string, number> = {};
/** Anyone can make a Microsoft account that claims erin's address. */
const ATTACKER = { profile: { email: 'erin@outlook.test', idpId: 'ms-attacker', firstName: 'Not', lastName: 'Erin' } };
const NOT_LINKED = 'This sign-in cannot be linked to an account automatically. Please contact your administrator.';

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  const create = async (name: string, input: Record<string, unknown>) => {
    ids[name] = (await t.login.rules.create({ name, priority: 100 + Object.keys(ids).length, ...input } as Parameters<typeof t.login.rules.create>[0])).id;
  };
  await create('Microsoft accounts', { method: 'MicrosoftOAuth', emailRegex: '@outlook\\.test$', jitCreation: 'attributes' });
  await create('Google accounts (linking on)', { method: 'GoogleOAuth', emailRegex: '@gmail\\.test$', linkExistingByEmail: true });
  await create('Acme SAML', { method: 'sso', emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
  await create('Globex SAML (linking off)', { method: 'sso', emailRegex: '@globex\\.test$', organizationId: 'org_globex', linkExistingByEmail: false });
  await createUser(t.prisma, { username: 'erin', email: 'erin@outlook.test', password: null });
  await createUser(t.prisma, { username: 'gus', email: 'gus@gmail.test', password: null });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
  await createUser(t.prisma, { username: 'gina', email: 'gina@globex.test', password: null });
});
afterAll(() => t.close());

describe('the rule field', () => {
  it('is stored as given: null (the method default), true or false', async () => {
    expect((await t.login.rules.get(ids['Microsoft accounts']!))?.linkExistingByEmail).toBeNull();
    expect((await t.login.rules.get(ids['Google accounts (linking on)']!))?.linkExistingByEmail).toBe(true);
    expect((await t.login.rules.get(ids['Globex SAML (linking off)']!))?.linkExistingByEmail).toBe(false);
    expect(await t.prisma.loginRule.findUnique({ where: { id: ids['Google accounts (linking on)']! } })).toMatchObject({ linkExistingByEmail: true });
  });

  it('belongs to SSO methods: other methods refuse it', async () => {
    const error = await t.login.rules.create({ name: 'Passwords', method: 'password', priority: 5, emailRegex: '.*', linkExistingByEmail: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleValidationError);
    expect((error as RuleValidationError).issues).toEqual([{ path: 'linkExistingByEmail', message: 'linking existing accounts by email is only for SSO methods' }]);
  });

  it('update changes it', async () => {
    const id = ids['Microsoft accounts']!;
    const updated = await t.login.rules.update(id, { name: 'Microsoft accounts', method: 'MicrosoftOAuth', priority: 100, emailRegex: '@outlook\\.test$', jitCreation: 'attributes', linkExistingByEmail: false });
    expect(updated.linkExistingByEmail).toBe(false);
    // Updates are partial: null (not a missing key) puts the method's default back.
    const kept = await t.login.rules.update(id, { enabled: true });
    expect(kept.linkExistingByEmail).toBe(false);
    const back = await t.login.rules.update(id, { linkExistingByEmail: null });
    expect(back.linkExistingByEmail).toBeNull();
  });
});

describe('first SSO login of an existing account', () => {
  it('Microsoft (default off): an identity presenting her email does not take erin over', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'erin', ATTACKER);
    expect(res.status).toBe(403);
    expect(res.text).toContain(NOT_LINKED);
    expect(await whoAmI(agent)).toBeNull();
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'ms-attacker' } })).toBe(0);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_link_refused', user: { username: 'erin' }, rule: { name: 'Microsoft accounts' } });
  });

  it('Microsoft (default off): typing the address instead of the username does not link either, nor create a second account', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'erin@outlook.test', ATTACKER);
    expect(res.status).toBe(403);
    expect(res.text).toContain(NOT_LINKED);
    expect(await t.prisma.user.count({ where: { email: 'erin@outlook.test' } })).toBe(1);
    expect(t.events.of('userCreated')).toEqual([]);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_link_refused' });
  });

  it('Google with linkExistingByEmail: true links the account, and later logins find it by its identity', async () => {
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'gus', { email: 'gus@gmail.test' })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('gus');
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'google-gus' } })).toBe(1);
  });

  it('SAML by organization (default on) links the account', async () => {
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'ada', { email: 'ada@acme.test' })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('ada');
  });

  it('SAML with linkExistingByEmail: false refuses the link', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'gina', { email: 'gina@globex.test' });
    expect(res.status).toBe(403);
    expect(res.text).toContain(NOT_LINKED);
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'globex-gina' } })).toBe(0);
  });

  it('an account linked by an administrator logs in by its identity under a rule that does not link by email', async () => {
    const erin = await t.prisma.user.findUniqueOrThrow({ where: { username: 'erin' } });
    await t.prisma.ssoIdentity.create({ data: { userId: erin.id, scope: 'conn:conn_microsoft', idpId: 'ms-erin', profileId: 'prof_erin', connectionId: 'conn_microsoft' } });
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'erin', { profile: { email: 'erin@outlook.test', idpId: 'ms-erin' } })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('erin');
    // The other Microsoft account with her address is still refused.
    const other = t.agent();
    expect((await ssoLogin(t, other, 'erin', ATTACKER)).status).toBe(403);
    expect(await whoAmI(other)).toBeNull();
  });
});
