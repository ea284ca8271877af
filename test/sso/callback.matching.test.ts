// Which account an SSO profile may log into: only one the rule dispatched to (organization/connection), found by a
// tenant-scoped identity or, at the first login, by matching email; never a disabled account, never an account
// whose own rule is not SSO.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { appPath, completeIdpLogin, idpInitiatedLogin, ssoLogin, startLogin, whoAmI } from '../support/workos.ts';

let t: WorkosTestApp;

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  await t.login.rules.create({ name: 'Staff use passwords', method: 'password', priority: 5, lookupAttributes: { isStaff: true } });
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes' });
  await t.login.rules.create({ name: 'Globex SAML', method: 'sso', priority: 11, emailRegex: '@globex\\.test$', organizationId: 'org_globex' });
  await t.login.rules.create({ name: 'Solo SAML', method: 'sso', priority: 12, emailRegex: '@solo\\.test$', connectionId: 'conn_solo_saml', jitCreation: 'idp', allowIdpInitiated: true });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
  await createUser(t.prisma, { username: 'eve', email: 'eve@acme.test', password: null });
  await createUser(t.prisma, { username: 'gina', email: 'gina@globex.test', password: null });
  const stan = await createUser(t.prisma, { username: 'stan', email: 'stan@acme.test' });
  await t.prisma.user.update({ where: { id: stan.id }, data: { isStaff: true } });
  t.emulator.directory.addUser('conn_acme_saml', { idpId: 'acme-stan', email: 'stan@acme.test', firstName: 'Stan' });
});
afterAll(() => t.close());

const FORBIDDEN = 403;

describe('profile and rule', () => {
  // Threat: cross-tenant mix-up — a code from another organization's IdP pasted into this login's callback (item 34).
  it('a profile from another organization than the rule dispatched to is refused', async () => {
    const agent = t.agent();
    const authorize = new URL(await startLogin(agent, 'ada'));
    const foreignCode = new URL(await t.emulator.idp.initiate({ connectionId: 'conn_globex_saml', email: 'gina@globex.test' })).searchParams.get('code')!;
    const res = await agent.get(`/accounts/callback/sso/?code=${foreignCode}&state=${authorize.searchParams.get('state')}`);
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('You signed in with an account from another organization or provider than the one your login uses.');
    expect(await whoAmI(agent)).toBeNull();
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'globex-gina' } })).toBe(0);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_profile_mismatch', rule: { name: 'Acme SAML' } });
  });

  // Threat: account takeover at the first SSO login — signing in at the IdP as someone else than the account typed.
  it('first login: the profile email must be the account’s email', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'eve', { email: 'bob@acme.test' });
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('The account you signed in with at your identity provider does not match the username you entered.');
    expect(await whoAmI(agent)).toBeNull();
    expect(await t.prisma.ssoIdentity.count()).toBe(0);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_email_mismatch', user: { username: 'eve' } });
    // Case does not matter.
    t.emulator.directory.addUser('conn_acme_saml', { idpId: 'acme-eve', email: 'EVE@Acme.TEST' });
    expect((await ssoLogin(t, agent, 'eve', { email: 'EVE@Acme.TEST' })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('eve');
  });

  // Threat: one IdP's identity (its IdP id) logging into another tenant's user (item 35; the original keyed on idp_id).
  it('an identity is scoped to its organization/connection: the same IdP id elsewhere does not log in', async () => {
    const gina = t.agent();
    expect((await ssoLogin(t, gina, 'gina', { email: 'gina@globex.test' })).status).toBe(303);
    expect(await t.prisma.ssoIdentity.findFirst({ where: { idpId: 'globex-gina' } })).toMatchObject({ scope: 'org:org_globex' });
    // Another tenant's IdP claims the same IdP id and email.
    t.emulator.directory.addUser('conn_solo_saml', { idpId: 'globex-gina', email: 'gina@globex.test', firstName: 'Mallory' });
    const attacker = t.agent();
    const res = await idpInitiatedLogin(t, attacker, 'conn_solo_saml', 'gina@globex.test');
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('You signed in with an account from another organization or provider');
    expect(await whoAmI(attacker)).toBeNull();
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'globex-gina' } })).toBe(1);
    expect(await t.prisma.user.count({ where: { email: 'gina@globex.test' } })).toBe(1);
  });

  // Threat: a method downgrade — an account whose rule asks for a password logging in through SSO (item 45).
  it('an account whose own rule is not SSO cannot log in by SSO', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'stan@acme.test', { email: 'stan@acme.test' });
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('This login method is not available for your account.');
    expect(await whoAmI(agent)).toBeNull();
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'acme-stan' } })).toBe(0);
  });

  it('first login by an unknown name links the one account with that email (its rule is this SSO rule)', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'ada@acme.test', { email: 'ada@acme.test' });
    expect(res.status).toBe(303);
    expect(await whoAmI(agent)).toBe('ada');
    expect(await t.prisma.user.count({ where: { email: 'ada@acme.test' } })).toBe(1);
  });
});

describe('disabled accounts', () => {
  // Threat: SSO or JIT re-enabling a disabled account, or creating a fresh one next to it (item 37).
  it('a disabled account with an identity is refused and stays disabled', async () => {
    const ina = await createUser(t.prisma, { username: 'ina', email: 'ina@acme.test', password: null, isActive: false });
    await t.prisma.ssoIdentity.create({ data: { userId: ina.id, scope: 'org:org_acme', idpId: 'acme-ina', profileId: 'prof_x', connectionId: 'conn_acme_saml' } });
    t.emulator.directory.addUser('conn_acme_saml', { idpId: 'acme-ina', email: 'ina@acme.test' });
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'ina@acme.test', { email: 'ina@acme.test' });
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('Your account is disabled. Please contact your administrator.');
    expect(await whoAmI(agent)).toBeNull();
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: ina.id } })).isActive).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_account_disabled', user: { username: 'ina' } });
  });

  it('a disabled account without identity is not replaced by a JIT account', async () => {
    await createUser(t.prisma, { username: 'otto', email: 'otto@acme.test', password: null, isActive: false });
    t.emulator.directory.addUser('conn_acme_saml', { email: 'otto@acme.test' });
    const users = await t.prisma.user.count();
    const res = await ssoLogin(t, t.agent(), 'otto@acme.test', { email: 'otto@acme.test' });
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('Your account is disabled.');
    expect(await t.prisma.user.count()).toBe(users);
    expect(t.events.of('userCreated')).toEqual([]);
  });
});

describe('rule changes between start and callback', () => {
  it('a login whose rule was deleted meanwhile is refused', async () => {
    const rule = await t.login.rules.create({ name: 'Temporary', method: 'sso', priority: 1, emailRegex: '^bob@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes' });
    const agent = t.agent();
    const path = await completeIdpLogin(t.emulator, await startLogin(agent, 'bob@acme.test'), { email: 'bob@acme.test' });
    await t.login.rules.delete(rule.id);
    const res = await agent.get(appPath(path));
    expect(res.status).toBe(FORBIDDEN);
    expect(res.text).toContain('This login method is not available for your account. Please start again.');
    expect(await t.prisma.user.count({ where: { email: 'bob@acme.test' } })).toBe(0);
  });
});
