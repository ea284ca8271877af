// SP-initiated SSO for each kind of rule: SAML by connection, SAML by organization, Google and Microsoft OAuth.
// Step 2 redirects to WorkOS with the rule's selector, our callback, a fresh state and the typed name as login hint;
// the callback logs the user in and goes to `next`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSO_CALLBACK, TEST_CLIENT_ID, createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin, ssoLogin, startLogin, whoAmI } from '../support/workos.ts';

let t: WorkosTestApp;
const rules: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  rules.org = (await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme' })).id;
  rules.conn = (await t.login.rules.create({ name: 'Solo SAML', method: 'sso', priority: 11, emailRegex: '@solo\\.test$', connectionId: 'conn_solo_saml' })).id;
  // The existing accounts below are linked at their first login: OAuth rules must opt in to that.
  rules.google = (await t.login.rules.create({ name: 'Google', method: 'GoogleOAuth', priority: 12, emailRegex: '@gmail\\.test$', linkExistingByEmail: true })).id;
  rules.microsoft = (await t.login.rules.create({ name: 'Microsoft', method: 'MicrosoftOAuth', priority: 13, emailRegex: '@outlook\\.test$', linkExistingByEmail: true })).id;
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
  await createUser(t.prisma, { username: 'sam', email: 'SAM@solo.test', password: null });
  await createUser(t.prisma, { username: 'gus', email: 'gus@gmail.test', password: null });
  await createUser(t.prisma, { username: 'mia', email: 'mia@outlook.test', password: null });
});
afterAll(() => t.close());

describe('SP-initiated SSO', () => {
  const variants = [
    { name: 'SAML by organization', typed: 'ada', email: 'ada@acme.test', selector: ['organization', 'org_acme'], rule: 'org', idp: 'acme-ada', scope: 'org:org_acme' },
    { name: 'SAML by connection', typed: 'sam', email: 'sam@solo.test', selector: ['connection', 'conn_solo_saml'], rule: 'conn', idp: 'solo-sam', scope: 'conn:conn_solo_saml' },
    { name: 'Google OAuth', typed: 'gus', email: 'gus@gmail.test', selector: ['provider', 'GoogleOAuth'], rule: 'google', idp: 'google-gus', scope: 'conn:conn_google' },
    { name: 'Microsoft OAuth', typed: 'mia', email: 'mia@outlook.test', selector: ['provider', 'MicrosoftOAuth'], rule: 'microsoft', idp: 'ms-mia', scope: 'conn:conn_microsoft' },
  ] as const;

  for (const v of variants) {
    it(`${v.name}: redirects to WorkOS with the rule's selector and logs in at the callback`, async () => {
      const agent = t.agent();
      const authorize = new URL(await startLogin(agent, v.typed, '/private?tab=1'));
      expect(authorize.origin).toBe(t.emulator.url);
      expect(authorize.pathname).toBe('/sso/authorize');
      const q = authorize.searchParams;
      expect(q.get(v.selector[0])).toBe(v.selector[1]);
      for (const other of ['organization', 'connection', 'provider'].filter((k) => k !== v.selector[0])) expect(q.has(other)).toBe(false);
      expect(q.get('client_id')).toBe(TEST_CLIENT_ID);
      expect(q.get('redirect_uri')).toBe(SSO_CALLBACK);
      expect(q.get('login_hint')).toBe(v.typed);
      expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const callback = await agent.get(await completeIdpLogin(t.emulator, authorize.toString(), { email: v.email }));
      expect(callback.status).toBe(303);
      expect(callback.headers.location).toBe('/private?tab=1');
      expect(await whoAmI(agent)).toBe(v.typed);
      const identity = await t.prisma.ssoIdentity.findFirst({ where: { user: { username: v.typed } } });
      expect(identity).toMatchObject({ scope: v.scope, idpId: v.idp });
      const login = t.events.of('login').at(-1)!;
      expect(login.user.username).toBe(v.typed);
      expect(login.rule?.id).toBe(rules[v.rule]);
    });
  }

  it('?username=…&start=true goes straight to the identity provider', async () => {
    const agent = t.agent();
    const res = await agent.get('/accounts/login/?username=ada&start=true&next=%2Fprivate');
    expect(res.status).toBe(303);
    const authorize = new URL(res.headers.location!);
    expect(authorize.origin + authorize.pathname).toBe(`${t.emulator.url}/sso/authorize`);
    expect(authorize.searchParams.get('organization')).toBe('org_acme');
    const callback = await agent.get(await completeIdpLogin(t.emulator, authorize.toString(), { email: 'ada@acme.test' }));
    expect(callback.headers.location).toBe('/private');
    expect(await whoAmI(agent)).toBe('ada');
  });

  it('a second login finds the user by identity', async () => {
    const agent = t.agent();
    const res = await ssoLogin(t, agent, 'ada', { email: 'ada@acme.test' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    expect(await t.prisma.ssoIdentity.count({ where: { user: { username: 'ada' } } })).toBe(1);
  });
});
