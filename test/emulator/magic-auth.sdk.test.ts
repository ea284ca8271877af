// AuthKit Magic Auth and users through the real SDK: codes emailed to the outbox, the magic-auth grant, and WorkOS's
// error codes for a wrong, used and expired code, as the SDK surfaces them.
import { BadRequestException, GenericServerException, NotFoundException, OauthException, UnauthorizedException, WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, T0, rejectionOf, startDemo } from './support.ts';

let h: Harness;
let clientId: string;
beforeAll(async () => {
  h = await startDemo();
  clientId = h.emulator.clientId;
});
afterAll(() => h.emulator.close());

async function codeFor(email: string) {
  const magicAuth = await h.workos.userManagement.createMagicAuth({ email });
  return magicAuth;
}

/** WorkOS's `code` of a one-time-code refusal (8.x puts it in `rawData`). */
function refusal(error: Error & Record<string, unknown>): { status: unknown; code: unknown } {
  expect(error).toBeInstanceOf(GenericServerException);
  return { status: error.status, code: (error.rawData as { code?: unknown }).code };
}

describe('createMagicAuth', () => {
  it('creates the user on first use and a six-digit code valid for 10 minutes, and emails it', async () => {
    h.emulator.outbox.clear();
    const magicAuth = await codeFor('nina@example.org');
    expect(magicAuth).toMatchObject({
      object: 'magic_auth',
      id: expect.stringMatching(/^magic_auth_[0-9A-Z]{26}$/),
      userId: expect.stringMatching(/^user_[0-9A-Z]{26}$/),
      email: 'nina@example.org',
      code: expect.stringMatching(/^\d{6}$/),
      createdAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 10 * 60_000).toISOString(),
    });
    const mail = h.emulator.outbox.latest('nina@example.org');
    expect(mail).toMatchObject({ kind: 'email', code: magicAuth.code });
    expect(mail?.body).toContain(magicAuth.code);
    expect(await h.workos.userManagement.getMagicAuth(magicAuth.id)).toEqual(magicAuth);
    // The same address keeps its user.
    expect((await codeFor('NINA@example.org')).userId).toBe(magicAuth.userId);
  });

  it('refuses a malformed email with a 400 naming the field', async () => {
    const error = await rejectionOf(h.workos.userManagement.createMagicAuth({ email: 'not-an-email' }));
    expect(error).toBeInstanceOf(GenericServerException);
    expect(error.status).toBe(400);
    expect(error.message).toContain('email');
  });
});

describe('authenticateWithMagicAuth', () => {
  it('trades the code and email for the user, once', async () => {
    const { code, userId } = await codeFor('omar@example.org');
    const result = await h.workos.userManagement.authenticateWithMagicAuth({ code, email: 'omar@example.org', clientId });
    expect(result.user).toMatchObject({ object: 'user', id: userId, email: 'omar@example.org', emailVerified: true, lastSignInAt: new Date(T0).toISOString() });
    expect(result.authenticationMethod).toBe('MagicAuth');
    expect(result.accessToken.split('.')).toHaveLength(3);
    expect(result.refreshToken).toBeTruthy();

    const again = await rejectionOf(h.workos.userManagement.authenticateWithMagicAuth({ code, email: 'omar@example.org', clientId }));
    expect(refusal(again)).toEqual({ status: 400, code: 'one_time_code_previously_used' });
  });

  it('refuses a wrong code, and a right code for another address, as invalid_one_time_code', async () => {
    const { code } = await codeFor('pia@example.org');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(refusal(await rejectionOf(h.workos.userManagement.authenticateWithMagicAuth({ code: wrong, email: 'pia@example.org', clientId })))).toEqual({ status: 400, code: 'invalid_one_time_code' });
    expect(refusal(await rejectionOf(h.workos.userManagement.authenticateWithMagicAuth({ code, email: 'omar@example.org', clientId })))).toEqual({ status: 400, code: 'invalid_one_time_code' });
    // The wrong attempts did not spend it.
    expect((await h.workos.userManagement.authenticateWithMagicAuth({ code, email: 'pia@example.org', clientId })).user.email).toBe('pia@example.org');
  });

  it('refuses an expired code as one_time_code_expired', async () => {
    const { emulator, workos } = await startDemo();
    try {
      const { code } = await workos.userManagement.createMagicAuth({ email: 'quinn@example.org' });
      emulator.clock.advance(10 * 60_000);
      const error = await rejectionOf(workos.userManagement.authenticateWithMagicAuth({ code, email: 'quinn@example.org', clientId: emulator.clientId }));
      expect(refusal(error)).toEqual({ status: 400, code: 'one_time_code_expired' });
    } finally {
      await emulator.close();
    }
  });

  it('needs the client id and its secret (the API key)', async () => {
    const { code } = await codeFor('rosa@example.org');
    const badClient = await rejectionOf(h.workos.userManagement.authenticateWithMagicAuth({ code, email: 'rosa@example.org', clientId: 'client_other' }));
    expect(badClient).toBeInstanceOf(OauthException);
    expect((badClient as unknown as OauthException).error).toBe('invalid_client');
    const stranger = new WorkOS('sk_test_wrong', { ...h.emulator.sdkOptions, clientId });
    expect(await rejectionOf(stranger.userManagement.authenticateWithMagicAuth({ code, email: 'rosa@example.org' }))).toBeInstanceOf(UnauthorizedException);
    expect(await rejectionOf(stranger.userManagement.createMagicAuth({ email: 'rosa@example.org' }))).toBeInstanceOf(UnauthorizedException);
  });
});

describe('users', () => {
  it('createUser, getUser and listUsers by email', async () => {
    const created = await h.workos.userManagement.createUser({ email: 'sven@example.org', firstName: 'Sven', lastName: 'Svensson', emailVerified: true });
    expect(created).toMatchObject({ object: 'user', id: expect.stringMatching(/^user_/), email: 'sven@example.org', firstName: 'Sven', lastName: 'Svensson', emailVerified: true, externalId: null, metadata: {} });
    expect(await h.workos.userManagement.getUser(created.id)).toEqual(created);
    const list = await h.workos.userManagement.listUsers({ email: 'SVEN@example.org' });
    expect(list.data).toEqual([created]);
    expect((await h.workos.userManagement.listUsers({ email: 'nobody@example.org' })).data).toEqual([]);
  });

  it('refuses a second user with the same email (400 user_creation_error / email_not_available)', async () => {
    await h.workos.userManagement.createUser({ email: 'tara@example.org' });
    const error = await rejectionOf(h.workos.userManagement.createUser({ email: 'Tara@example.org' }));
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error).toMatchObject({ code: 'user_creation_error', errors: [{ code: 'email_not_available' }] });
  });

  it('getUser of an unknown id is a NotFoundException', async () => {
    const error = await rejectionOf(h.workos.userManagement.getUser('user_01UNKNOWN'));
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toContain('user_01UNKNOWN');
  });

  it('listUsers pages with limit and after', async () => {
    const { emulator, workos } = await startDemo();
    try {
      for (const name of ['a', 'b', 'c']) {
        await workos.userManagement.createUser({ email: `${name}@page.test` });
        emulator.clock.advance(1000);
      }
      const first = await workos.userManagement.listUsers({ limit: 2, order: 'asc' });
      expect(first.data.map((u) => u.email)).toEqual(['a@page.test', 'b@page.test']);
      expect(first.listMetadata.after).toBe(first.data[1]!.id);
      const rest = await workos.userManagement.listUsers({ limit: 2, order: 'asc', after: first.listMetadata.after! });
      expect(rest.data.map((u) => u.email)).toEqual(['c@page.test']);
      expect(rest.listMetadata.after).toBeNull();
      expect((await (await workos.userManagement.listUsers()).autoPagination()).map((u) => u.email)).toEqual(['c@page.test', 'b@page.test', 'a@page.test']);
    } finally {
      await emulator.close();
    }
  });
});
