// The traffic log: every API call the SDK made, with method, path, status and time, secrets masked, as JSON, as a
// page and through `emulator.requests`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, T0, rejectionOf, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
beforeEach(() => h.emulator.requests.clear());
afterAll(() => h.emulator.close());

describe('emulator.requests', () => {
  it('records each SDK call with method, path, status, time, duration and client, in order', async () => {
    const factor = await h.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' });
    await rejectionOf(h.workos.mfa.getFactor('auth_factor_missing'));
    const [enroll, missing] = h.emulator.requests.list();
    expect(enroll).toMatchObject({ id: expect.any(Number), method: 'POST', path: '/auth/factors/enroll', status: 201, at: new Date(T0).toISOString(), client: 'client_emulator', requestId: expect.stringMatching(/^req_fake_/) });
    expect(enroll!.durationMs).toBeGreaterThanOrEqual(0);
    expect(enroll!.body).toEqual({ type: 'sms', phone_number: '+15005550006' });
    expect(missing).toMatchObject({ method: 'GET', path: '/auth/factors/auth_factor_missing', status: 404 });
    expect(missing!.id).toBeGreaterThan(enroll!.id);
    expect(h.emulator.requests.list({ method: 'get' })).toEqual([missing]);
    expect(h.emulator.requests.latest({ path: '/auth/factors/*' })).toEqual(missing);
    expect(h.emulator.requests.list({ path: /enroll$/ })).toEqual([enroll]);
    expect(factor.id).toMatch(/^auth_factor_/);
  });

  it('masks codes, secrets, tokens and states, and says which client a key belongs to', async () => {
    const { code } = await h.workos.userManagement.createMagicAuth({ email: 'ada@example.org' });
    await h.workos.userManagement.authenticateWithMagicAuth({ code, email: 'ada@example.org', clientId: h.emulator.clientId });
    await fetch(`${h.emulator.url}/auth/factors/enroll`, { method: 'POST', headers: { authorization: 'Bearer sk_guess', 'content-type': 'application/json' }, body: '{"type":"generic_otp"}' });
    const url = h.workos.sso.getAuthorizationUrl({ connection: 'conn_google', clientId: h.emulator.clientId, redirectUri: 'http://localhost:3000/accounts/callback/sso/', state: 'secret-state' });
    await fetch(url, { redirect: 'manual' });

    const authenticate = h.emulator.requests.latest({ path: '/user_management/authenticate' })!;
    expect(authenticate.status).toBe(200);
    expect(authenticate.body).toEqual({ grant_type: 'urn:workos:oauth:grant-type:magic-auth:code', client_id: h.emulator.clientId, client_secret: '[masked]', code: '[masked]', email: 'ada@example.org' });
    expect(h.emulator.requests.latest({ path: '/auth/factors/enroll' })).toMatchObject({ status: 401, client: 'unknown key' });
    const authorize = h.emulator.requests.latest({ path: '/sso/authorize' })!;
    expect(authorize.path).toContain('state=[masked]');
    expect(authorize.path).toContain('connection=conn_google');
    expect(authorize.client).toBeNull();
    const all = JSON.stringify(h.emulator.requests.list());
    for (const secret of [code, h.emulator.apiKey, 'secret-state', 'sk_guess']) expect(all).not.toContain(secret);
  });

  it('GET /_emulator/requests answers JSON (filters ?method= and ?path=), the page lists the same calls, DELETE empties it', async () => {
    await h.workos.userManagement.createMagicAuth({ email: 'bea@example.org' });
    await fetch(`${h.emulator.url}/no/such/path`);
    const json = (await (await fetch(`${h.emulator.url}/_emulator/requests`)).json()) as { data: { method: string; path: string; status: number }[] };
    expect(json.data.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/user_management/magic_auth', 201],
      ['GET', '/no/such/path', 404],
    ]);
    const filtered = (await (await fetch(`${h.emulator.url}/_emulator/requests?method=POST`)).json()) as { data: unknown[] };
    expect(filtered.data).toHaveLength(1);

    const page = await fetch(`${h.emulator.url}/_emulator/requests`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html.indexOf('/no/such/path')).toBeLessThan(html.indexOf('/user_management/magic_auth')); // newest first
    expect(html).toContain('data-status="404"');
    // The log pages themselves are not API calls.
    expect(h.emulator.requests.list()).toHaveLength(2);

    expect((await fetch(`${h.emulator.url}/_emulator/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(h.emulator.requests.list()).toEqual([]);
  });

  it('escapes what it shows', async () => {
    await fetch(`${h.emulator.url}/%3Cscript%3Ealert(1)%3C/script%3E`);
    const html = await (await fetch(`${h.emulator.url}/_emulator/requests.html`)).text();
    expect(html).not.toContain('<script>alert(1)');
  });
});
