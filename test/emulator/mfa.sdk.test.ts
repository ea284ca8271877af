// MFA through the real SDK: TOTP codes computed with otplib on the emulator's clock, SMS codes read
// from the outbox, and every documented failure mapped to the SDK's exception and code.
import {
  GenericServerException,
  NotFoundException,
  UnauthorizedException,
  UnprocessableEntityException,
  WorkOS,
} from '@workos-inc/node';
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, T0, rejectionOf, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(() => h.emulator.close());

/** The code an authenticator app would show at the emulator's current time (± `steps` of 30 s). */
function totpAt(secret: string, steps = 0): string {
  return authenticator.clone({ epoch: h.emulator.clock.now() + steps * 30_000 }).generate(secret);
}

async function enrollTotp() {
  const factor = await h.workos.mfa.enrollFactor({ type: 'totp', issuer: 'Foo Corp', user: 'alice@foo-corp.com' });
  if (!factor.totp) throw new Error('the enrollment response has no totp');
  return { ...factor, totp: factor.totp };
}

describe('TOTP factors', () => {
  it('enrolls with a random 32-character base32 secret, an otpauth URI and a PNG QR code', async () => {
    const factor = await enrollTotp();
    expect(factor).toMatchObject({ object: 'authentication_factor', type: 'totp', id: expect.stringMatching(/^auth_factor_[0-9A-Z]{26}$/) });
    expect(factor.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(factor.totp.uri).toMatch(/^otpauth:\/\/totp\/Foo%20Corp:alice%40foo-corp\.com\?secret=[A-Z2-7]{32}&/);
    expect(factor.totp.uri).toContain(`secret=${factor.totp.secret}`);
    expect(factor.totp.qrCode).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(factor.createdAt).toBe(new Date(T0).toISOString());
    expect((await enrollTotp()).totp.secret).not.toBe(factor.totp.secret);
  });

  it('getFactor returns the factor without secrets; deleteFactor removes it', async () => {
    const factor = await enrollTotp();
    const read = await h.workos.mfa.getFactor(factor.id);
    expect(read.totp).toEqual({ issuer: 'Foo Corp', user: 'alice@foo-corp.com' });
    const raw = (await (await fetch(`${h.emulator.url}/auth/factors/${factor.id}`, { headers: { authorization: `Bearer ${h.emulator.apiKey}` } })).json()) as Record<string, unknown>;
    expect(JSON.stringify(raw)).not.toContain(factor.totp.secret);
    await h.workos.mfa.deleteFactor(factor.id);
    const gone = await rejectionOf(h.workos.mfa.getFactor(factor.id));
    expect(gone).toBeInstanceOf(NotFoundException);
    expect(gone.message).toContain(factor.id);
    expect(await rejectionOf(h.workos.mfa.deleteFactor(factor.id))).toBeInstanceOf(NotFoundException);
  });

  it('verifies the current code (±1 step of drift) and refuses a wrong code with valid:false', async () => {
    const factor = await enrollTotp();
    const challenge = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    expect(challenge).toMatchObject({ object: 'authentication_challenge', authenticationFactorId: factor.id, expiresAt: undefined, code: undefined });
    const wrong = await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: totpAt(factor.totp.secret, -2) });
    expect(wrong).toMatchObject({ valid: false, challenge: { id: challenge.id } });
    const right = await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: totpAt(factor.totp.secret, -1) });
    expect(right.valid).toBe(true);
    const next = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: next.id, code: totpAt(factor.totp.secret, 1) })).valid).toBe(true);
  });

  it('uses the emulator clock: after advancing 5 minutes the old code fails and the new one passes', async () => {
    const factor = await enrollTotp();
    const oldCode = totpAt(factor.totp.secret);
    h.emulator.clock.advance(5 * 60_000);
    const challenge = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: oldCode })).valid).toBe(false);
    expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: totpAt(factor.totp.secret) })).valid).toBe(true);
  });

  it('a verified challenge cannot be verified again (422 authentication_challenge_previously_verified)', async () => {
    const factor = await enrollTotp();
    const challenge = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: totpAt(factor.totp.secret) });
    const error = await rejectionOf(h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: totpAt(factor.totp.secret) }));
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect(error).toMatchObject({ status: 422, code: 'authentication_challenge_previously_verified' });
    expect(error.message).toBe(`The authentication challenge '${challenge.id}' has already been verified.`);
  });

  it('refuses the sixth attempt with 400 one_time_code_too_many_attempts, even with the right code', async () => {
    const factor = await enrollTotp();
    const challenge = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    for (let i = 0; i < 5; i += 1) {
      expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: '000000' })).valid).toBe(false);
    }
    const error = await rejectionOf(h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code: totpAt(factor.totp.secret) }));
    expect(error).toBeInstanceOf(GenericServerException);
    expect(error).toMatchObject({ status: 400, rawData: { code: 'one_time_code_too_many_attempts' } });
  });
});

describe('SMS factors', () => {
  it('refuses a phone number that is not E.164 with 422 {message, code}', async () => {
    const error = await rejectionOf(h.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '555-0100' }));
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect(error).toMatchObject({ status: 422, code: 'invalid_phone_number' });
    expect(error.message).toContain('E.164');
  });

  it('sends the code with the default or a custom template to the outbox and verifies it', async () => {
    const factor = await h.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' });
    expect(factor.sms).toEqual({ phoneNumber: '+15005550006' });
    expect((await h.workos.mfa.getFactor(factor.id)).sms).toEqual({ phoneNumber: '+15005550006' });

    const first = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    expect(first.code).toBeUndefined();
    expect(Date.parse(first.expiresAt!) - Date.parse(first.createdAt)).toBe(10 * 60_000);
    const sms = h.emulator.outbox.latest('+15005550006')!;
    expect(sms).toMatchObject({ kind: 'sms', to: '+15005550006', code: expect.stringMatching(/^\d{6}$/) });
    expect(sms.body).toBe(`Your code is ${sms.code}`);

    const second = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id, smsTemplate: 'Foo Corp: {{code}} is your code. {{ code }}' });
    const code = h.emulator.outbox.latest('+15005550006')!.code!;
    expect(h.emulator.outbox.latest('+15005550006')!.body).toBe(`Foo Corp: ${code} is your code. ${code}`);
    const wrongCode = code === '123456' ? '654321' : '123456';
    expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: second.id, code: wrongCode })).valid).toBe(false);
    expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: second.id, code })).valid).toBe(true);
    // Each challenge has its own code.
    expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: first.id, code: sms.code! })).valid).toBe(true);
  });

  it('expires SMS challenges after 10 minutes (422 authentication_challenge_expired)', async () => {
    const factor = await h.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+447700900123' });
    const challenge = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    const code = h.emulator.outbox.latest('+447700900123')!.code!;
    h.emulator.clock.advance(10 * 60_000);
    const error = await rejectionOf(h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code }));
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect(error).toMatchObject({ code: 'authentication_challenge_expired' });
  });
});

describe('errors common to /auth/*', () => {
  it('unknown factor and challenge ids give 404 {message} (NotFoundException)', async () => {
    expect(await rejectionOf(h.workos.mfa.challengeFactor({ authenticationFactorId: 'auth_factor_nope' }))).toBeInstanceOf(NotFoundException);
    const error = await rejectionOf(h.workos.mfa.verifyChallenge({ authenticationChallengeId: 'auth_challenge_nope', code: '123456' }));
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toContain('auth_challenge_nope');
  });

  it('a wrong or missing API key gives 401 (UnauthorizedException)', async () => {
    const wrong = new WorkOS('sk_test_wrong', h.emulator.sdkOptions);
    expect(await rejectionOf(wrong.mfa.enrollFactor({ type: 'totp', issuer: 'x', user: 'y' }))).toBeInstanceOf(UnauthorizedException);
    const factor = await enrollTotp();
    expect(await rejectionOf(wrong.mfa.getFactor(factor.id))).toBeInstanceOf(UnauthorizedException);
    const res = await fetch(`${h.emulator.url}/auth/factors/${factor.id}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('a malformed body gives 400 JSON naming the field', async () => {
    const res = await fetch(`${h.emulator.url}/auth/factors/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'totp', totp_issuer: 'Foo' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'invalid_request_parameters', message: expect.stringContaining('totp_user') });
  });
});
