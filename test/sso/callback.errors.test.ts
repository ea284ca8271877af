// What the callback shows when the IdP reports an error, and when WorkOS is down, failing or slow: a friendly,
// escaped message or a "try again" page — and nothing saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin, startLogin, whoAmI } from '../support/workos.ts';

const UPSTREAM = 'We could not complete your request right now. Please try again in a moment.';

let t: WorkosTestApp;

beforeAll(async () => {
  t = await createTestApp({ emulator: { timeoutMs: 500 } });
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes', allowIdpInitiated: true });
  await t.login.rules.create({ name: 'Globex SAML', method: 'sso', priority: 11, emailRegex: '@globex\\.test$', organizationId: 'org_globex' });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
});
afterAll(() => t.close());

describe('error callbacks', () => {
  // Threat: reflected XSS through error_description (the original rendered it unescaped).
  it('shows the IdP error as an escaped, friendly message', async () => {
    const agent = t.agent();
    const path = await completeIdpLogin(t.emulator, await startLogin(agent, 'ada'), { error: 'access_denied', errorDescription: '<script>alert("x")</script> & more' });
    const res = await agent.get(path);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Sign-in was cancelled or refused at your identity provider.');
    expect(res.text).toContain('Details from your identity provider: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(res.text).not.toContain('<script>alert');
    expect(await whoAmI(agent)).toBeNull();
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_idp_error', method: 'sso', username: 'ada' });
    // The state was used up by the error: the same URL again is refused.
    expect((await agent.get(path)).text).toContain('does not belong to this browser session or was already used');
  });

  // Threat: markup injected through a crafted callback URL with an unknown error code.
  it('an unknown error code (crafted URL) gets a generic message, still escaped', async () => {
    const res = await t.agent().get(`/accounts/callback/sso/?error=${encodeURIComponent('<b>x</b>')}&error_description=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Your identity provider could not sign you in. Please try again.');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).not.toContain('<b>x</b>');
  });

  it('maps documented WorkOS error codes to their messages', async () => {
    const cases: [string, string][] = [
      ['profile_not_allowed_outside_organization', 'This account is not allowed to sign in through your organization.'],
      ['organization_invalid', 'Single sign-on is not set up correctly for this account.'],
      ['signin_consent_denied', 'Sign-in was cancelled or refused at your identity provider.'],
      ['server_error', 'Your identity provider could not sign you in. Please try again.'],
    ];
    for (const [error, text] of cases) {
      const res = await t.agent().get(`/accounts/callback/sso/?error=${error}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain(text);
      expect(res.text).not.toContain('Details from your identity provider');
    }
  });

  it('idp_initiated_sso_disabled with the tenant restarts an SP-initiated login where the rule allows IdP logins', async () => {
    const agent = t.agent();
    const res = await agent.get('/accounts/callback/sso/?error=idp_initiated_sso_disabled&organization=org_acme&connection=conn_acme_saml');
    expect(res.status).toBe(303);
    const authorize = new URL(res.headers.location!);
    expect(authorize.origin + authorize.pathname).toBe(`${t.emulator.url}/sso/authorize`);
    expect(authorize.searchParams.get('organization')).toBe('org_acme');
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await agent.get(await completeIdpLogin(t.emulator, authorize.toString(), { email: 'ada@acme.test' }))).status).toBe(303);
    expect(await whoAmI(agent)).toBe('ada');

    const refused = await t.agent().get('/accounts/callback/sso/?error=idp_initiated_sso_disabled&organization_id=org_globex');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('IdP-initiated login is not enabled for your organization.');
  });
});

describe('WorkOS failures during the code exchange', () => {
  const counts = async () => ({ users: await t.prisma.user.count(), identities: await t.prisma.ssoIdentity.count() });

  for (const [name, fault] of [
    ['answers 500', { method: 'POST', path: '/sso/token', status: 500 }],
    ['answers a 502 HTML page', { method: 'POST', path: '/sso/token', status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }],
    ['hangs past the timeout', { method: 'POST', path: '/sso/token', hangMs: 2000 }],
  ] as const) {
    // Threat: a failing or slow WorkOS leaving a half-created account behind, or answering with a raw 500.
    it(`${name}: a "try again" page, and nothing is saved`, async () => {
      const agent = t.agent();
      // A first login that would create a user and an identity (JIT) if the exchange worked.
      const email = `new-${name.length}@acme.test`;
      t.emulator.directory.addUser('conn_acme_saml', { email, firstName: 'New' });
      const path = await completeIdpLogin(t.emulator, await startLogin(agent, email), { email });
      const before = await counts();
      t.emulator.faults.inject({ ...fault, times: 1 });
      const res = await agent.get(path);
      expect(res.status).toBe(503);
      expect(res.text).toContain(UPSTREAM);
      expect(await counts()).toEqual(before);
      expect(await whoAmI(agent)).toBeNull();
      expect(t.events.of('userCreated').filter((e) => e.user.email === email)).toEqual([]);
      // Once WorkOS answers again, the same person is created and logged in (so the check above could fail).
      const retry = await agent.get(await completeIdpLogin(t.emulator, await startLogin(agent, email), { email }));
      expect(retry.status).toBe(303);
      expect(await counts()).toEqual({ users: before.users + 1, identities: before.identities + 1 });
      expect(await whoAmI(agent)).toBe(email);
    });
  }
});
