// Fault injection as the SDK sees it: injected statuses map to the SDK's exceptions, hangs trip the
// SDK's own timeout, and faults are counted and matched by method and path.
import { GenericServerException, OauthException, WorkOS } from '@workos-inc/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, SSO_CALLBACK, paramsOf, rejectionOf, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
afterEach(() => h.emulator.faults.clear());
afterAll(() => h.emulator.close());

const enroll = (workos = h.workos) => workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' });

describe('faults.inject', () => {
  it('a 500 with the default body becomes GenericServerException; the next call succeeds', async () => {
    h.emulator.faults.inject({ path: '/auth/factors/enroll', status: 500 });
    const error = await rejectionOf(enroll());
    expect(error).toBeInstanceOf(GenericServerException);
    expect(error).toMatchObject({ status: 500, message: 'Injected fault (HTTP 500).' });
    await expect(enroll()).resolves.toMatchObject({ type: 'sms' });
  });

  it('an OAuth-shaped body on /sso/token becomes OauthException with its error fields', async () => {
    const url = h.workos.sso.getAuthorizationUrl({ connection: 'conn_google', clientId: h.emulator.clientId, redirectUri: SSO_CALLBACK });
    const { code } = paramsOf(await h.emulator.idp.signIn(url, { email: 'carol@gmail.com' }));
    h.emulator.faults.inject({ method: 'POST', path: '/sso/token', status: 503, body: { error: 'server_error', error_description: 'Down for maintenance' } });
    const error = await rejectionOf(h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId }));
    expect(error).toBeInstanceOf(OauthException);
    expect(error).toMatchObject({ status: 503, error: 'server_error', errorDescription: 'Down for maintenance' });
    // The injected failure did not consume the code.
    await expect(h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId })).resolves.toBeDefined();
  });

  it('a hang longer than the SDK timeout gives OauthException 408 "Request timeout"', async () => {
    h.emulator.faults.inject({ path: '/auth/*', hangMs: 2_000 });
    const impatient = new WorkOS(h.emulator.apiKey, { ...h.emulator.sdkOptions, timeout: 150 });
    const started = Date.now();
    const error = await rejectionOf(enroll(impatient));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toBeInstanceOf(OauthException);
    expect(error).toMatchObject({ status: 408, error: 'Request timeout' });
  });

  it('a short hang without a status delays the real answer', async () => {
    h.emulator.faults.inject({ path: '/auth/factors/enroll', hangMs: 200 });
    const started = Date.now();
    await expect(enroll()).resolves.toMatchObject({ type: 'sms' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('counts `times`, matches the method and `*` prefixes, and never touches /_emulator/*', async () => {
    const fault = h.emulator.faults.inject({ method: 'post', path: '/auth/*', times: 2, status: 502 });
    expect(fault).toMatchObject({ remaining: 2, method: 'post', path: '/auth/*' });
    expect((await rejectionOf(enroll())).status).toBe(502);
    expect(h.emulator.faults.pending()).toEqual([expect.objectContaining({ remaining: 1 })]);
    // A GET does not match a POST-only fault.
    expect((await fetch(`${h.emulator.url}/auth/factors/x`, { headers: { authorization: `Bearer ${h.emulator.apiKey}` } })).status).toBe(404);
    expect((await rejectionOf(enroll())).status).toBe(502);
    expect(h.emulator.faults.pending()).toEqual([]);
    await expect(enroll()).resolves.toBeDefined();

    // Even a catch-all fault leaves the emulator's own control routes working.
    h.emulator.faults.inject({ path: '/*', status: 500, times: 5 });
    expect((await fetch(`${h.emulator.url}/_emulator/outbox`)).status).toBe(200);
    expect((await fetch(`${h.emulator.url}/sso/profile`)).status).toBe(500);
  });

  it('an HTML error page reaches the SDK as a parse error, as a proxy’s 502 page would', async () => {
    h.emulator.faults.inject({ path: '/auth/factors/enroll', status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' });
    const error = await rejectionOf(enroll());
    expect(error.message).toMatch(/^Unexpected error: .*ParseError/s);
  });

  it('refuses malformed rules with an error naming the key', () => {
    expect(() => h.emulator.faults.inject({ path: 'auth', status: 500 })).toThrow(/inject\(\)\.path: must start with "\/"/);
    expect(() => h.emulator.faults.inject({ path: '/auth' })).toThrow(/give a status, a hangMs, or both/);
    expect(() => h.emulator.faults.inject({ path: '/auth', status: 99 })).toThrow(/status/);
  });
});

describe('/_emulator/faults over HTTP', () => {
  it('POST injects (validated), GET lists, DELETE clears', async () => {
    const post = (body: unknown) =>
      fetch(`${h.emulator.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post({ path: '/passwordless/sessions', status: 500, body: { message: 'boom' } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ path: '/passwordless/sessions', remaining: 1, status: 500 });
    const error = await rejectionOf(h.workos.passwordless.createSession({ email: 'a@b.co', type: 'MagicLink' }));
    expect(error).toMatchObject({ status: 500, message: 'boom' });

    const bad = await post({ path: '/x', times: 0, status: 500 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: 'invalid_request_parameters', message: expect.stringContaining('times') });

    await post({ path: '/auth/*', status: 500, times: 3 });
    expect(((await (await fetch(`${h.emulator.url}/_emulator/faults`)).json()) as { data: unknown[] }).data).toHaveLength(1);
    expect((await fetch(`${h.emulator.url}/_emulator/faults`, { method: 'DELETE' })).status).toBe(204);
    await expect(enroll()).resolves.toBeDefined();
  });
});
