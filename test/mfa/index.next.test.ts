// `next` survives the whole MFA flow (the original loses it) and is checked again when it is used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, smsCode, startMfaLogin, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

describe('next through MFA', () => {
  it('is kept through TOTP enrollment and the recovery-codes page', async () => {
    const { agent } = await startMfaLogin(t, 'nia', { next: '/private?tab=2#x' });
    const { secret } = await startTotpEnrollment(agent);
    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) });
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/private?tab=2#x');
  });

  it('is kept through a TOTP verification', async () => {
    const { agent, secret } = await startMfaLogin(t, 'oda', { enrolled: { factor: 'totp' }, next: '/private' });
    const ok = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(ok.headers.location).toBe('/private');
    expect((await agent.get('/private')).text).toBe('private for oda');
  });

  it('is kept through SMS sends and a wrong code', async () => {
    const { agent } = await startMfaLogin(t, 'pam', { enrolled: { factor: 'sms', phone: '+15005550090' }, next: '/private' });
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const code = smsCode(t, '+15005550090');
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await postForm(agent, '/accounts/verify/', { code: wrong })).status).toBe(401);
    const ok = await postForm(agent, '/accounts/verify/', { code });
    expect(ok.headers.location).toBe('/private');
  });

  it('falls back to the default for an unsafe next', async () => {
    // Threat (item 1): an open redirect is carried through MFA and used after the second factor.
    const { agent, secret } = await startMfaLogin(t, 'quin', { enrolled: { factor: 'totp' }, next: '//evil.example/steal' });
    const ok = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/accounts/profile/');
  });
});
