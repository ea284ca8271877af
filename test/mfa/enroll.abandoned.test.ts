// Abandoned, unverified factors at WorkOS: starting an enrollment again (or restarting the SMS one) deletes the
// factor the earlier start created, so they do not pile up at WorkOS. A failing delete is logged and never blocks
// the new enrollment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, recoveryCodesIn, startMfaLogin, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

const deletes = () => t.emulator.requests.list({ method: 'DELETE', path: '/auth/factors/*' });

describe('abandoned factors', () => {
  it('a second TOTP start deletes the first, unverified factor at WorkOS; the second one enrolls', async () => {
    const { agent } = await startMfaLogin(t, 'abe');
    t.emulator.requests.clear();
    const first = await startTotpEnrollment(agent);
    expect(deletes()).toEqual([]);
    const second = await startTotpEnrollment(agent);
    expect(second.secret).not.toBe(first.secret);
    const gone = deletes();
    expect(gone).toHaveLength(1);
    expect(gone[0]!.status).toBeLessThan(300);
    // The deleted factor's id is the one the first enrollment created (the only other one is the second's).
    const enrolled = t.emulator.requests.list({ method: 'POST', path: '/auth/factors/enroll' });
    expect(enrolled).toHaveLength(2);

    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, second.secret) });
    expect(recoveryCodesIn(shown.text)).toHaveLength(10);
    expect(await t.prisma.mfaFactor.count({ where: { user: { username: 'abe' } } })).toBe(1);
    expect(await isLoggedIn(agent)).toBe(false); // until the codes are confirmed, as always
    // Saving the verified factor deletes nothing more.
    expect(deletes()).toHaveLength(1);
  });

  it('when WorkOS fails the delete, the new enrollment still starts and a warning is logged', async () => {
    const { agent } = await startMfaLogin(t, 'abby');
    await startTotpEnrollment(agent);
    t.emulator.faults.inject({ path: '/auth/factors/auth_factor_*', method: 'DELETE', status: 500 });
    const second = await startTotpEnrollment(agent);
    expect(t.logs.some((l) => l.includes('could not delete the abandoned, unverified totp factor'))).toBe(true);
    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, second.secret) });
    expect(recoveryCodesIn(shown.text)).toHaveLength(10);
    expect(await t.prisma.mfaFactor.count({ where: { user: { username: 'abby' } } })).toBe(1);
  });
});
