// Enrollment can only add a first factor, and only with ids the server keeps: the original's MFA bypass
// (re-enroll from a half-login) and client-chosen factor ids are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import {
  MFA_RULE,
  enrollTotpUser,
  halfLogin,
  mfaUser,
  passwordStep,
  pendingOf,
  startMfaLogin,
  startTotpEnrollment,
  totpCode,
} from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

describe('re-enrollment from a half-login', () => {
  it('refuses every enroll route to a user who has a factor, and nothing reaches WorkOS', async () => {
    // Threat (original bypass): with only the password, enroll a new factor of one's own and log in with it.
    const { user, agent, location } = await startMfaLogin(t, 'victor', { enrolled: { factor: 'totp' } });
    expect(location).toBe('/accounts/verify/');
    const fault = t.emulator.faults.inject({ path: '/auth/factors/enroll', status: 500, times: 10 });
    const attempts = [
      await agent.get('/accounts/enroll/'),
      await agent.get('/accounts/enroll-totp/'),
      await postForm(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/verify/'),
      await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: '123456' }, '/accounts/verify/'),
      await agent.get('/accounts/enroll-sms/'),
      await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550040' }, '/accounts/verify/'),
      await postForm(agent, '/accounts/enroll-sms/', { action: 'verify', code: '123456' }, '/accounts/verify/'),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/accounts/verify/');
    }
    const page = await agent.get('/accounts/verify/');
    expect(page.text).toContain(LOGIN_MESSAGES.mfa_already_enrolled);
    // The injected fault is still waiting: no enroll call was made.
    expect(t.emulator.faults.pending().find((f) => f.id === fault.id)?.remaining).toBe(10);
    t.emulator.faults.clear();
    expect(t.emulator.outbox.latest('+15005550040')).toBeUndefined();
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(1);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('an enrollment started before another session saved a factor cannot finish', async () => {
    // Threat: two half-logins race; the second adds an attacker's factor after the owner enrolled.
    const { user, agent: attacker } = await startMfaLogin(t, 'wanda');
    const { secret } = await startTotpEnrollment(attacker);
    await enrollTotpUser(t, 'wanda');
    const res = await postForm(attacker, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) }, '/accounts/verify/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/verify/');
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(1);
    expect(await isLoggedIn(attacker)).toBe(false);
  });
});

describe('forged factor ids', () => {
  it('ignores a factor id in the form: the session keeps its own', async () => {
    // Threat (item 30): an attacker posts another session's factor id with a code they can compute for it.
    await mfaUser(t, 'xena');
    await mfaUser(t, 'yuri');
    const victim = t.agent();
    const { sid } = await halfLogin(victim, 'xena');
    const victimEnroll = await startTotpEnrollment(victim);
    const victimFactor = ((await pendingOf(t, sid)) as { enrollment: { factorId: string } }).enrollment.factorId;
    expect(victimFactor).toMatch(/^auth_factor_/);

    const attacker = t.agent();
    await passwordStep(attacker, 'yuri');
    await startTotpEnrollment(attacker);
    const forged = await postForm(attacker, '/accounts/enroll-totp/', {
      action: 'verify',
      factor_id: victimFactor,
      factorId: victimFactor,
      authentication_factor_id: victimFactor,
      code: totpCode(t, victimEnroll.secret),
    });
    expect(forged.status).toBe(401);
    expect(forged.text).toContain(LOGIN_MESSAGES.mfa_code_invalid);
    expect(await t.prisma.mfaFactor.count({ where: { workosFactorId: victimFactor } })).toBe(0);
    const yuri = await t.prisma.user.findUniqueOrThrow({ where: { username: 'yuri' } });
    expect(await t.prisma.mfaFactor.count({ where: { userId: yuri.id } })).toBe(0);
    expect(await isLoggedIn(attacker)).toBe(false);
  });
});
