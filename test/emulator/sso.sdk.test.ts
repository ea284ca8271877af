// SSO through the real SDK: authorization URL, mock IdP page, code exchange, profile, IdP-initiated.
import { OauthException, UnauthorizedException, WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, SSO_CALLBACK, hop, paramsOf, rejectionOf, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(() => h.emulator.close());

function authUrl(options: { connection?: string; organization?: string; provider?: string; state?: string; loginHint?: string; redirectUri?: string }): string {
  const { redirectUri = SSO_CALLBACK, ...rest } = options;
  return h.workos.sso.getAuthorizationUrl({ clientId: h.emulator.clientId, redirectUri, ...rest } as Parameters<WorkOS['sso']['getAuthorizationUrl']>[0]);
}

async function signInAs(email: string, options: Parameters<typeof authUrl>[0]): Promise<Record<string, string>> {
  return paramsOf(await h.emulator.idp.signIn(authUrl(options), { email }));
}

describe('GET /sso/authorize and the mock IdP page', () => {
  it('lists the connection users as one-click forms and redirects with code and the exact state', async () => {
    const page = await hop(authUrl({ connection: 'conn_foo_corp_saml', state: 'a b+c/é' }));
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-email="alice@foo-corp.com"');
    expect(page.text).toContain('data-email="bob@foo-corp.com"');
    expect(page.text).not.toContain('carol@gmail.com');
    // Submit Alice's form exactly as the browser would.
    const form = /<form class="choice" method="post" action="([^"]+)" data-email="alice@foo-corp.com">([\s\S]*?)<\/form>/.exec(page.text);
    expect(form).not.toBeNull();
    const fields = Object.fromEntries([...form![2]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const done = await hop(new URL(form![1]!, h.emulator.url).toString(), { method: 'POST', body: new URLSearchParams(fields) });
    expect(done.status).toBe(302);
    expect(done.location!.startsWith(SSO_CALLBACK)).toBe(true);
    const params = paramsOf(done.location!);
    expect(params.state).toBe('a b+c/é');
    expect(params.code).toMatch(/^[0-9A-Z]{26}$/);
    // The pending request is single-use, like a real IdP round trip.
    expect((await hop(new URL(form![1]!, h.emulator.url).toString(), { method: 'POST', body: new URLSearchParams(fields) })).status).toBe(400);
  });

  it('leaves state out of the redirect when none was sent', async () => {
    const params = await signInAs('bob@foo-corp.com', { connection: 'conn_foo_corp_saml' });
    expect(Object.keys(params)).toEqual(['code']);
  });

  it('organization selector: offers only that organization’s users and the profile carries organization_id', async () => {
    const page = await hop(authUrl({ organization: 'org_foo_corp' }));
    expect(page.text).toContain('alice@foo-corp.com');
    expect(page.text).not.toContain('erin@outlook.com');
    const { code } = await signInAs('alice@foo-corp.com', { organization: 'org_foo_corp' });
    const { profile } = await h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId });
    expect(profile).toMatchObject({ organizationId: 'org_foo_corp', connectionId: 'conn_foo_corp_saml', connectionType: 'GenericSAML', idpId: 'foo-alice' });
    expect(profile.rawAttributes).toMatchObject({ organization_name: 'Foo Corp', locationUuid: 'loc-hq' });
  });

  it('provider selector picks the connection of that type and returns OAuth tokens with organization_id null', async () => {
    const { code } = await signInAs('carol@gmail.com', { provider: 'GoogleOAuth' });
    const result = await h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId });
    expect(result.profile).toMatchObject({ connectionId: 'conn_google', connectionType: 'GoogleOAuth', organizationId: null, email: 'carol@gmail.com' });
    expect(result.oauthTokens).toMatchObject({ scopes: ['openid', 'profile', 'email'] });
    expect(result.oauthTokens?.accessToken).toEqual(expect.any(String));
    const ms = await signInAs('erin@outlook.com', { provider: 'MicrosoftOAuth' });
    expect((await h.workos.sso.getProfileAndToken({ code: ms.code!, clientId: h.emulator.clientId })).profile.connectionId).toBe('conn_microsoft');
  });

  it('login_hint pre-selects the matching user, or pre-fills the custom profile email', async () => {
    const hinted = await hop(authUrl({ connection: 'conn_foo_corp_saml', loginHint: 'BOB@foo-corp.com' }));
    const within = (email: string) => new RegExp(`data-email="${email}">(?:(?!</form>)[\\s\\S])*class="hinted" autofocus`);
    expect(hinted.text).toMatch(within('bob@foo-corp.com'));
    expect(hinted.text).not.toMatch(within('alice@foo-corp.com'));
    const unknown = await hop(authUrl({ connection: 'conn_foo_corp_saml', loginHint: 'new.hire@foo-corp.com' }));
    expect(unknown.text).toContain('name="email" type="email" required value="new.hire@foo-corp.com"');
  });

  it('rejects an unknown client or a redirect URI that is not allow-listed with 400 JSON, without redirecting', async () => {
    // Threat: an attacker-chosen redirect_uri would receive the victim's code.
    const badClient = await hop(authUrl({ connection: 'conn_google' }).replace('client_id=client_emulator', 'client_id=client_nope'));
    expect(badClient.status).toBe(400);
    expect(JSON.parse(badClient.text)).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining('client_nope') });
    const badRedirect = await hop(authUrl({ connection: 'conn_google', redirectUri: 'https://evil.example/cb' }));
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.location).toBeNull();
    expect(JSON.parse(badRedirect.text)).toMatchObject({ error: 'invalid_redirect_uri' });
    // An SDK built without clientId sends no client_id at all.
    const noClient = new WorkOS(h.emulator.apiKey, h.emulator.sdkOptions).sso.getAuthorizationUrl({ connection: 'conn_google', redirectUri: SSO_CALLBACK } as never);
    expect(JSON.parse((await hop(noClient)).text).error).toBe('invalid_client');
  });

  it('redirects unknown selectors back with the documented error, error_description and state', async () => {
    const cases: [Parameters<typeof authUrl>[0], string][] = [
      [{ connection: 'conn_missing' }, 'connection_invalid'],
      [{ organization: 'org_missing' }, 'organization_invalid'],
      [{ provider: 'FooOAuth' }, 'invalid_connection_selector'],
      [{ connection: 'conn_google', organization: 'org_foo_corp' }, 'invalid_connection_selector'],
    ];
    for (const [selector, error] of cases) {
      const res = await hop(authUrl({ ...selector, state: 'st' }));
      expect(res.status).toBe(302);
      expect(paramsOf(res.location!)).toEqual({ error, error_description: expect.any(String), state: 'st' });
    }
    h.emulator.directory.addOrganization({ id: 'org_empty', name: 'Empty' });
    const empty = paramsOf((await hop(authUrl({ organization: 'org_empty' }))).location!);
    expect(empty).toEqual({ error: 'organization_invalid', error_description: 'No connection associated with organization' });
  });

  it('the error choice returns error and error_description with the state', async () => {
    const url = authUrl({ connection: 'conn_google', state: 's9' });
    const params = paramsOf(await h.emulator.idp.signIn(url, { error: 'access_denied', errorDescription: 'User said no.' }));
    expect(params).toEqual({ error: 'access_denied', error_description: 'User said no.', state: 's9' });
  });

  it('a custom profile typed on the page becomes the profile, and bad raw attributes are refused on the page', async () => {
    const url = authUrl({ organization: 'org_foo_corp', state: 'c1' });
    const location = await h.emulator.idp.signIn(url, {
      profile: { email: 'zoe@foo-corp.com', firstName: 'Zoe', lastName: 'Zhu', idpId: 'zz-1', groups: ['Ops', 'Admins'], rawAttributes: { title: 'SRE' } },
    });
    const { profile } = await h.workos.sso.getProfileAndToken({ code: paramsOf(location).code!, clientId: h.emulator.clientId });
    expect(profile).toMatchObject({ email: 'zoe@foo-corp.com', firstName: 'Zoe', lastName: 'Zhu', idpId: 'zz-1', groups: ['Ops', 'Admins'], rawAttributes: { title: 'SRE' }, organizationId: 'org_foo_corp' });

    const page = await hop(authUrl({ connection: 'conn_google' }));
    const action = /action="(\/_emulator\/sso\/authorize\/[^"]+)" id="custom-profile"/.exec(page.text)![1]!;
    const body = new URLSearchParams({ choice: 'custom', connection_id: 'conn_google', email: 'x@y.org', raw_attributes: '[1,2' });
    const refused = await hop(new URL(action, h.emulator.url).toString(), { method: 'POST', body });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('raw_attributes: must be a JSON object');
    expect(refused.text).toContain('value="x@y.org"');
  });
});

describe('POST /sso/token and GET /sso/profile', () => {
  it('returns the full profile shape on the wire, with a stable id per user and connection', async () => {
    const { code } = await signInAs('alice@foo-corp.com', { connection: 'conn_foo_corp_saml' });
    const res = await fetch(`${h.emulator.url}/sso/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: h.emulator.clientId, client_secret: h.emulator.apiKey, grant_type: 'authorization_code', code }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^req_fake_/);
    const body = (await res.json()) as { token_type: string; expires_in: number; access_token: string; profile: Record<string, unknown> };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, access_token: expect.any(String) });
    expect(body.profile).toEqual({
      object: 'profile',
      id: expect.stringMatching(/^prof_[0-9A-Z]{26}$/),
      organization_id: 'org_foo_corp',
      connection_id: 'conn_foo_corp_saml',
      connection_type: 'GenericSAML',
      idp_id: 'foo-alice',
      email: 'alice@foo-corp.com',
      first_name: 'Alice',
      last_name: 'Anderson',
      name: 'Alice Anderson',
      role: { slug: 'member' },
      roles: [{ slug: 'member' }],
      groups: ['Engineering'],
      custom_attributes: {},
      raw_attributes: expect.objectContaining({ title: 'Staff Engineer', locationAddress: expect.any(String) }),
    });
    const again = await signInAs('alice@foo-corp.com', { organization: 'org_foo_corp' });
    const second = await h.workos.sso.getProfileAndToken({ code: again.code!, clientId: h.emulator.clientId });
    expect(second.profile.id).toBe(body.profile.id);
  });

  it('codes are single-use: the second exchange fails with invalid_grant', async () => {
    // Threat: replay of a code read from logs or browser history.
    const { code } = await signInAs('bob@foo-corp.com', { connection: 'conn_foo_corp_saml' });
    await h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId });
    const error = await rejectionOf(h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId }));
    expect(error).toBeInstanceOf(OauthException);
    expect(error).toMatchObject({ status: 400, error: 'invalid_grant', errorDescription: 'The code has expired or has already been used.' });
  });

  it('codes expire after 10 minutes on the emulator clock', async () => {
    const fresh = await signInAs('bob@foo-corp.com', { connection: 'conn_foo_corp_saml' });
    const stale = await signInAs('bob@foo-corp.com', { connection: 'conn_foo_corp_saml' });
    h.emulator.clock.advance(10 * 60_000 - 1);
    await expect(h.workos.sso.getProfileAndToken({ code: fresh.code!, clientId: h.emulator.clientId })).resolves.toBeDefined();
    h.emulator.clock.advance(1);
    const error = await rejectionOf(h.workos.sso.getProfileAndToken({ code: stale.code!, clientId: h.emulator.clientId }));
    expect(error).toMatchObject({ error: 'invalid_grant' });
  });

  it('codes are bound to the client they were issued to, and the secret must be that client’s API key', async () => {
    // Threat: a code issued to one application redeemed by another, or without the secret.
    h.emulator.directory.addClient({ clientId: 'client_other', apiKey: 'sk_test_other', redirectUris: ['http://localhost:4000/cb'] });
    const other = new WorkOS('sk_test_other', h.emulator.sdkOptions);
    const { code } = await signInAs('bob@foo-corp.com', { connection: 'conn_foo_corp_saml' });
    expect(await rejectionOf(other.sso.getProfileAndToken({ code: code!, clientId: 'client_other' }))).toMatchObject({ error: 'invalid_grant' });
    const wrongSecret = new WorkOS('sk_test_wrong', h.emulator.sdkOptions);
    const denied = await rejectionOf(wrongSecret.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId }));
    expect(denied).toBeInstanceOf(OauthException);
    expect(denied).toMatchObject({ error: 'invalid_client', errorDescription: 'Invalid client ID or secret.' });
    // Neither failure burned the code for its rightful client.
    await expect(h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId })).resolves.toBeDefined();
  });

  it('rejects a malformed token request with OAuth-shaped 400s', async () => {
    const post = (body: Record<string, string>) =>
      fetch(`${h.emulator.url}/sso/token`, { method: 'POST', body: new URLSearchParams(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    expect(await post({ client_id: 'client_emulator', grant_type: 'authorization_code' })).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'code: is required' } });
    expect((await post({ client_id: 'client_emulator', client_secret: 'sk_test_emulator', grant_type: 'password', code: 'x' })).body.error).toBe('unsupported_grant_type');
  });

  it('supports PKCE for a public client without an API key', async () => {
    // Threat: an intercepted code redeemed by someone who lacks the code_verifier.
    const pub = new WorkOS({ clientId: h.emulator.clientId, ...h.emulator.sdkOptions });
    const { url, state, codeVerifier } = await pub.sso.getAuthorizationUrlWithPKCE({ connection: 'conn_google', clientId: h.emulator.clientId, redirectUri: SSO_CALLBACK });
    const params = paramsOf(await h.emulator.idp.signIn(url, { email: 'dave@example.org' }));
    expect(params.state).toBe(state);
    const wrong = await rejectionOf(pub.sso.getProfileAndToken({ code: params.code!, clientId: h.emulator.clientId, codeVerifier: 'x'.repeat(43) }));
    expect(wrong).toMatchObject({ error: 'invalid_grant', errorDescription: 'The code_verifier does not match the code_challenge.' });
    const { profile } = await pub.sso.getProfileAndToken({ code: params.code!, clientId: h.emulator.clientId, codeVerifier });
    expect(profile.email).toBe('dave@example.org');
  });

  it('GET /sso/profile returns the profile for the access token; bad or expired tokens give 401', async () => {
    const { code } = await signInAs('erin@outlook.com', { connection: 'conn_microsoft' });
    const { accessToken, profile } = await h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId });
    expect(await h.workos.sso.getProfile({ accessToken })).toEqual(profile);
    expect(await rejectionOf(h.workos.sso.getProfile({ accessToken: 'nope' }))).toBeInstanceOf(UnauthorizedException);
    const raw = await fetch(`${h.emulator.url}/sso/profile`, { headers: { authorization: 'Bearer nope' } });
    expect([raw.status, await raw.json()]).toEqual([401, { error: 'Unauthorized' }]);
    h.emulator.clock.advance(600_000);
    expect(await rejectionOf(h.workos.sso.getProfile({ accessToken }))).toBeInstanceOf(UnauthorizedException);
  });
});

describe('IdP-initiated sign-in', () => {
  it('the launcher page lists connections and users; a choice lands on the default redirect URI with a code and no state', async () => {
    const page = await hop(`${h.emulator.url}/_emulator/idp`);
    for (const text of ['Foo Corp SAML', 'Google', 'Microsoft', 'alice@foo-corp.com', 'erin@outlook.com']) expect(page.text).toContain(text);
    const form = /<form class="choice" method="post" action="(\/_emulator\/idp)" data-email="bob@foo-corp.com">([\s\S]*?)<\/form>/.exec(page.text)!;
    const fields = Object.fromEntries([...form[2]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const done = await hop(`${h.emulator.url}${form[1]}`, { method: 'POST', body: new URLSearchParams(fields) });
    expect(done.status).toBe(302);
    expect(done.location!.startsWith(SSO_CALLBACK)).toBe(true);
    const params = paramsOf(done.location!);
    expect(Object.keys(params)).toEqual(['code']);
    const { profile } = await h.workos.sso.getProfileAndToken({ code: params.code!, clientId: h.emulator.clientId });
    expect(profile).toMatchObject({ email: 'bob@foo-corp.com', connectionId: 'conn_foo_corp_saml', organizationId: 'org_foo_corp' });
  });

  it('idp.initiate() does the same from code', async () => {
    const params = paramsOf(await h.emulator.idp.initiate({ connectionId: 'conn_google', email: 'carol@gmail.com' }));
    expect(Object.keys(params)).toEqual(['code']);
  });
});
