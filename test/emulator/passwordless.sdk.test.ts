// Magic links through the real SDK: session, email in the outbox, single-use link, expiry, exchange.
import { GenericServerException, NotFoundException, UnauthorizedException, WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, MAGIC_CALLBACK, SSO_CALLBACK, T0, hop, paramsOf, rejectionOf, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(() => h.emulator.close());

describe('createSession and sendSession', () => {
  it('creates a session whose link points at the emulator and emails it to the outbox', async () => {
    const session = await h.workos.passwordless.createSession({ email: 'new@foo-corp.com', type: 'MagicLink', redirectURI: MAGIC_CALLBACK, state: 'ml1' });
    expect(session).toMatchObject({ object: 'passwordless_session', email: 'new@foo-corp.com', id: expect.stringMatching(/^passwordless_session_[0-9A-Z]{26}$/) });
    expect(session.link).toMatch(new RegExp(`^${h.emulator.url}/passwordless/[\\w-]+/confirm$`));
    // The default lifetime is 15 minutes; the SDK passes expires_at through as a string.
    expect(String(session.expiresAt)).toBe(new Date(T0 + 15 * 60_000).toISOString());
    expect(h.emulator.outbox.messages({ to: 'new@foo-corp.com' })).toEqual([]);

    expect(await h.workos.passwordless.sendSession(session.id)).toEqual({ success: true });
    const mail = h.emulator.outbox.latest('NEW@foo-corp.com')!;
    expect(mail).toMatchObject({ kind: 'email', to: 'new@foo-corp.com', link: session.link });
    expect(mail.body).toContain(session.link);
  });

  it('following the link once redirects with code and state; the code yields a MagicLink profile', async () => {
    const session = await h.workos.passwordless.createSession({ email: 'Pat@foo-corp.com', type: 'MagicLink', redirectURI: MAGIC_CALLBACK, state: 'ml2' });
    const first = await hop(session.link);
    expect(first.status).toBe(302);
    expect(first.location!.startsWith(MAGIC_CALLBACK)).toBe(true);
    const params = paramsOf(first.location!);
    expect(params).toEqual({ code: expect.any(String), state: 'ml2' });
    const { profile } = await h.workos.sso.getProfileAndToken({ code: params.code!, clientId: h.emulator.clientId });
    expect(profile).toMatchObject({ connectionType: 'MagicLink', email: 'Pat@foo-corp.com', organizationId: 'org_foo_corp', connectionId: expect.stringMatching(/^conn_/) });

    const second = await hop(session.link);
    expect(paramsOf(second.location!)).toEqual({ error: 'access_denied', error_description: 'The magic link has already been used.', state: 'ml2' });
  });

  it('an expired link redirects with access_denied; expires_in sets the lifetime', async () => {
    const session = await h.workos.passwordless.createSession({ email: 'late@example.org', type: 'MagicLink', redirectURI: MAGIC_CALLBACK, expiresIn: 900 });
    h.emulator.clock.advance(900_000);
    const res = await hop(session.link);
    expect(paramsOf(res.location!)).toEqual({ error: 'access_denied', error_description: 'The magic link has expired.' });
  });

  it('without redirect_uri the client’s default redirect URI is used; a domain without organization gives organization_id null', async () => {
    const session = await h.workos.passwordless.createSession({ email: 'solo@example.org', type: 'MagicLink' });
    const res = await hop(session.link);
    expect(res.location!.startsWith(`${SSO_CALLBACK}?code=`)).toBe(true);
    const { profile } = await h.workos.sso.getProfileAndToken({ code: paramsOf(res.location!).code!, clientId: h.emulator.clientId });
    expect(profile.organizationId).toBeNull();
  });

  it('validates type, expires_in and the redirect URI allow-list with 400 JSON', async () => {
    const badType = await rejectionOf(h.workos.passwordless.createSession({ email: 'a@b.co', type: 'Other' as 'MagicLink' }));
    expect(badType).toBeInstanceOf(GenericServerException);
    expect(badType).toMatchObject({ status: 400, message: 'type: must be "MagicLink"' });
    for (const expiresIn of [899, 86_401]) {
      const error = await rejectionOf(h.workos.passwordless.createSession({ email: 'a@b.co', type: 'MagicLink', expiresIn }));
      expect(error).toMatchObject({ status: 400, message: expect.stringContaining('expires_in') });
    }
    const evil = await rejectionOf(h.workos.passwordless.createSession({ email: 'a@b.co', type: 'MagicLink', redirectURI: 'https://evil.example/' }));
    expect(evil).toMatchObject({ status: 400, rawData: { code: 'invalid_redirect_uri' } });
    expect(await rejectionOf(h.workos.passwordless.createSession({ email: 'not-an-email', type: 'MagicLink' }))).toMatchObject({ status: 400 });
  });

  it('unknown sessions give 404, a wrong API key 401, an unknown link token a 404 page', async () => {
    expect(await rejectionOf(h.workos.passwordless.sendSession('passwordless_session_nope'))).toBeInstanceOf(NotFoundException);
    const wrong = new WorkOS('sk_test_wrong', h.emulator.sdkOptions);
    expect(await rejectionOf(wrong.passwordless.createSession({ email: 'a@b.co', type: 'MagicLink' }))).toBeInstanceOf(UnauthorizedException);
    const res = await hop(`${h.emulator.url}/passwordless/nope/confirm`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('not valid');
  });
});
