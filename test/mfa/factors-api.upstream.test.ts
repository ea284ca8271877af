// WorkOS failing (5xx, timeouts, non-JSON) at each MFA call: an error page with a way to retry, nothing saved,
// nobody logged in, and the half-login kept so the retry works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, recoveryCodesIn, smsCode, startMfaLogin, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  // Long enough for a loaded CI machine, short enough to keep the timeout cases quick.
  t = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { workos: { timeoutMs: 1000 } } });
});
afterAll(() => t.close());

function expectUpstreamPage(res: { status: number; text: string }, retry: string) {
  expect(res.status).toBe(503);
  expect(res.text).toContain(LOGIN_MESSAGES.upstream);
  expect(res.text).toContain(`<a href="${retry}">Try again</a>`);
}

describe('enrollment when WorkOS fails', () => {
  it('TOTP enroll: 500, then a timeout, then success on retry', async () => {
    const { user, agent } = await startMfaLogin(t, 'ann');
    t.emulator.faults.inject({ path: '/auth/factors/enroll', status: 500 });
    expectUpstreamPage(await postForm(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/enroll/'), '/accounts/enroll-totp/');
    t.emulator.faults.inject({ path: '/auth/factors/enroll', hangMs: 4000 });
    expectUpstreamPage(await postForm(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/enroll/'), '/accounts/enroll-totp/');
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await isLoggedIn(agent)).toBe(false);
    const { secret } = await startTotpEnrollment(agent);
    expect((await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) })).status).toBe(200);
  });

  it('TOTP first code: challenge or verify failing saves nothing; the same code works on retry', async () => {
    const { user, agent } = await startMfaLogin(t, 'ben');
    const { secret } = await startTotpEnrollment(agent);
    const code = totpCode(t, secret);
    t.emulator.faults.inject({ path: '/auth/factors/auth_factor_*', method: 'POST', status: 503 });
    expectUpstreamPage(await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code }), '/accounts/enroll-totp/');
    t.emulator.faults.inject({ path: '/auth/challenges/*', status: 500 });
    expectUpstreamPage(await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code }), '/accounts/enroll-totp/');
    t.emulator.faults.inject({ path: '/auth/challenges/*', status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' });
    expectUpstreamPage(await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code }), '/accounts/enroll-totp/');
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.prisma.mfaRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    const ok = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code });
    expect(ok.status).toBe(200);
    expect(recoveryCodesIn(ok.text)).toHaveLength(10);
  });

  it('SMS enroll: 500 saves nothing and texts nothing', async () => {
    const { user, agent } = await startMfaLogin(t, 'cal');
    t.emulator.faults.inject({ path: '/auth/factors/enroll', status: 500 });
    expectUpstreamPage(await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550070' }), '/accounts/enroll-sms/');
    expect(t.emulator.outbox.latest('+15005550070')).toBeUndefined();
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('verification when WorkOS fails', () => {
  it('SMS "Send code" timing out keeps the half-login; sending again works', async () => {
    const { agent } = await startMfaLogin(t, 'dan', { enrolled: { factor: 'sms', phone: '+15005550071' } });
    t.emulator.faults.inject({ path: '/auth/factors/*', method: 'POST', hangMs: 4000 });
    expectUpstreamPage(await postForm(agent, '/accounts/verify/', { action: 'send' }), '/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    expect((await postForm(agent, '/accounts/verify/', { action: 'send' })).status).toBe(303);
    expect((await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550071') })).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('verify failing (500, timeout) does not log in; the same code works on retry', async () => {
    const { agent, secret } = await startMfaLogin(t, 'eli', { enrolled: { factor: 'totp', next: '/private' }, next: '/private' });
    const code = totpCode(t, secret);
    t.emulator.faults.inject({ path: '/auth/challenges/*', status: 500 });
    expectUpstreamPage(await postForm(agent, '/accounts/verify/', { code }), '/accounts/verify/');
    t.emulator.faults.inject({ path: '/auth/challenges/*', hangMs: 4000 });
    expectUpstreamPage(await postForm(agent, '/accounts/verify/', { code }), '/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    const ok = await postForm(agent, '/accounts/verify/', { code });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/private');
  });
});
