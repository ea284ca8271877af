// Bad input never produces an unhandled 500 or a stack trace, every JSON answer has the headers the
// SDK relies on, and request data shown on pages is escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, SSO_CALLBACK, hop, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(() => h.emulator.close());

const auth = () => ({ authorization: `Bearer ${h.emulator.apiKey}`, 'content-type': 'application/json' });

describe('HTTP robustness', () => {
  it('malformed JSON gives 400 JSON with X-Request-ID, OAuth-shaped on /sso/token', async () => {
    const api = await fetch(`${h.emulator.url}/auth/factors/enroll`, { method: 'POST', headers: auth(), body: '{"type":' });
    expect(api.status).toBe(400);
    expect(api.headers.get('x-request-id')).toMatch(/^req_fake_[0-9a-f]{24}$/);
    expect(await api.json()).toEqual({ code: 'invalid_request_parameters', message: 'The request body is not valid JSON.' });
    const token = await fetch(`${h.emulator.url}/sso/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(await token.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is not valid JSON.' });
  });

  it('wrong types in bodies and queries give 400, never 500', async () => {
    const enroll = await fetch(`${h.emulator.url}/auth/factors/enroll`, { method: 'POST', headers: auth(), body: JSON.stringify({ type: 'sms', phone_number: 5 }) });
    expect(enroll.status).toBe(400);
    const verify = await fetch(`${h.emulator.url}/auth/challenges/x/verify`, { method: 'POST', headers: auth(), body: '[]' });
    expect(verify.status).toBe(404);
    const duplicated = await hop(`${h.emulator.url}/sso/authorize?client_id=client_emulator&client_id=client_emulator&redirect_uri=x`);
    expect(duplicated.status).toBe(400);
    expect(JSON.parse(duplicated.text)).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('client_id') });
    const form = await hop(`${h.emulator.url}/_emulator/sso/authorize/authz_nope`, { method: 'POST', body: new URLSearchParams({ choice: 'user' }) });
    expect(form.status).toBe(400);
    const idp = await hop(`${h.emulator.url}/_emulator/idp`, { method: 'POST', body: new URLSearchParams({ idp_id: 'x' }) });
    expect(idp.status).toBe(400);
  });

  it('unknown paths give 404 JSON in the WorkOS shape', async () => {
    const res = await fetch(`${h.emulator.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ message: "The requested path '/nope' could not be found." });
  });

  it('escapes request data on the mock IdP page', async () => {
    // Threat: reflected XSS through login_hint on the mock IdP page.
    const hint = '"><script>alert(1)</script>';
    const url = h.workos.sso.getAuthorizationUrl({ connection: 'conn_google', clientId: h.emulator.clientId, redirectUri: SSO_CALLBACK, loginHint: hint });
    const page = await hop(url);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('the home page lists clients and connections', async () => {
    const page = await hop(`${h.emulator.url}/`);
    expect(page.text).toContain('client_emulator');
    expect(page.text).toContain('conn_foo_corp_saml');
  });
});
