// IdP-initiated SSO (a callback with a code and no state): off unless a rule that matches the profile's
// organization/connection opts in; then the user is found by identity, else by unique email, else created (JIT).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { idpInitiatedLogin, whoAmI } from '../support/workos.ts';

const DISABLED = 'IdP-initiated login is not enabled for your organization. Please log in from this site instead.';

let t: WorkosTestApp;

beforeAll(async () => {
  t = await createTestApp({ emulator: true, config: { loginRedirectUrl: '/private' } });
  // Acme: SP-initiated only. Globex: IdP-initiated allowed, JIT for anyone its IdP sends (rule targets SSO users).
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'idp' });
  await t.login.rules.create({ name: 'Globex SAML', method: 'sso', priority: 11, lookupAttributes: { hasSso: true }, emailRegex: '@globex\\.test$', organizationId: 'org_globex', jitCreation: 'idp', allowIdpInitiated: true });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
  await createUser(t.prisma, { username: 'gina', email: 'Gina@Globex.test', password: null });
});
afterAll(() => t.close());

describe('IdP-initiated SSO', () => {
  // Threat: unsolicited responses (login CSRF, injected assertions) where the rule never asked for them (item 33).
  it('is refused when no matching rule allows it', async () => {
    const agent = t.agent();
    const res = await idpInitiatedLogin(t, agent, 'conn_acme_saml', 'ada@acme.test');
    expect(res.status).toBe(403);
    expect(res.text).toContain(DISABLED);
    expect(await whoAmI(agent)).toBeNull();
    expect(await t.prisma.ssoIdentity.count()).toBe(0);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_idp_initiated_disabled', rule: { name: 'Acme SAML' } });
  });

  // Threat: IdP-initiated turned on for one tenant letting another tenant's profiles in.
  it('a connection no rule matches is refused', async () => {
    const res = await idpInitiatedLogin(t, t.agent(), 'conn_google', 'gus@gmail.test');
    expect(res.status).toBe(403);
    expect(res.text).toContain(DISABLED);
  });

  it('where allowed, links the account with the same email (case-insensitive) and logs in to loginRedirectUrl', async () => {
    const agent = t.agent();
    const res = await idpInitiatedLogin(t, agent, 'conn_globex_saml', 'gina@globex.test');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/private');
    expect(await whoAmI(agent)).toBe('gina');
    expect(await t.prisma.ssoIdentity.findFirst({ where: { idpId: 'globex-gina' } })).toMatchObject({ scope: 'org:org_globex' });
    expect(t.events.of('login').at(-1)).toMatchObject({ method: 'sso', rule: { name: 'Globex SAML' }, user: { username: 'gina' } });
    // And again, by identity.
    expect((await idpInitiatedLogin(t, t.agent(), 'conn_globex_saml', 'gina@globex.test')).status).toBe(303);
  });

  it('where allowed, creates an unknown person just in time', async () => {
    t.emulator.directory.addUser('conn_globex_saml', { idpId: 'globex-hal', email: 'hal@globex.test', firstName: 'Hal', lastName: 'Ninek' });
    const agent = t.agent();
    const res = await idpInitiatedLogin(t, agent, 'conn_globex_saml', 'hal@globex.test');
    expect(res.status).toBe(303);
    expect(await whoAmI(agent)).toBe('hal@globex.test');
    expect(t.events.of('userCreated').map((e) => e.user.username)).toEqual(['hal@globex.test']);
  });

  // Threat: an ambiguous email linking the IdP user to the wrong one of several accounts.
  it('refuses when several accounts share the email', async () => {
    await createUser(t.prisma, { username: 'twin1', email: 'twin@globex.test', password: null });
    await createUser(t.prisma, { username: 'twin2', email: 'TWIN@globex.test', password: null });
    t.emulator.directory.addUser('conn_globex_saml', { email: 'twin@globex.test' });
    const agent = t.agent();
    const res = await idpInitiatedLogin(t, agent, 'conn_globex_saml', 'twin@globex.test');
    expect(res.status).toBe(403);
    expect(res.text).toContain('This sign-in cannot be linked to an account automatically.');
    expect(await whoAmI(agent)).toBeNull();
  });

  // Threat: a user whose own rule is SP-only reached through another rule that allows IdP-initiated logins.
  it('the user’s own rule must allow it, not just some rule of the organization', async () => {
    await t.login.rules.create({ name: 'Acme IdP logins for SSO users', method: 'sso', priority: 50, lookupAttributes: { hasSso: true }, organizationId: 'org_acme', allowIdpInitiated: true });
    const res = await idpInitiatedLogin(t, t.agent(), 'conn_acme_saml', 'ada@acme.test');
    expect(res.status).toBe(403);
    expect(res.text).toContain(DISABLED);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_idp_initiated_disabled', user: { username: 'ada' }, rule: { name: 'Acme SAML' } });
  });
});
