// `next` survives the whole MFA flow (the original loses it) and is checked again when it is used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom } from '../support/app.ts';
import {
  createMfaTestApp,
  enrollSmsUser,
  enrollTotpUser,
  mfaUser,
  passwordStep,
  postForm,
  smsCode,
  startTotpEnrollment,
  totpCode,
  type MfaTestApp,
} from './support.ts';

let t: MfaTestApp;
beforeAll(async () => {
  t = await createMfaTestApp();
});
afterAll(() => t.close());

describe('next through MFA', () => {
  it('is kept through TOTP enrollment and the recovery-codes page', async () => {
    await mfaUser(t, 'nia');
    const agent = t.agent();
    await passwordStep(agent, 'nia', '/private?tab=2#x');
    const { secret } = await startTotpEnrollment(agent);
    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) });
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/private?tab=2#x');
  });

  it('is kept through a TOTP verification', async () => {
    await mfaUser(t, 'oda');
    const { secret } = await enrollTotpUser(t, 'oda');
    const agent = t.agent();
    await passwordStep(agent, 'oda', '/private');
    const ok = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(ok.headers.location).toBe('/private');
    expect((await agent.get('/private')).text).toBe('private for oda');
  });

  it('is kept through SMS sends and a wrong code', async () => {
    await mfaUser(t, 'pam');
    await enrollSmsUser(t, 'pam', '+15005550090');
    const agent = t.agent();
    await passwordStep(agent, 'pam', '/private');
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const code = smsCode(t, '+15005550090');
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await postForm(agent, '/accounts/verify/', { code: wrong })).status).toBe(401);
    const ok = await postForm(agent, '/accounts/verify/', { code });
    expect(ok.headers.location).toBe('/private');
  });

  it('falls back to the default for an unsafe next', async () => {
    // Threat (item 1): an open redirect is carried through MFA and used after the second factor.
    await mfaUser(t, 'quin');
    const { secret } = await enrollTotpUser(t, 'quin');
    const agent = t.agent();
    await passwordStep(agent, 'quin', '//evil.example/steal');
    const ok = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/accounts/profile/');
  });
});
