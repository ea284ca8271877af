// Limits on the second factor: wrong codes per half-login, attempts per user across half-logins and app
// instances' shared store, SMS sends per user, and WorkOS's own per-challenge cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, enrollTotpUser, mfaUser, passwordStep, smsCode, startMfaLogin, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({
    emulator: true,
    rules: [MFA_RULE],
    config: {
      mfa: { maxAttempts: 3, verifyLimit: { points: 4, durationSeconds: 900, blockSeconds: 900 }, smsSendLimit: { points: 2, durationSeconds: 3600 } },
    },
  });
});
afterAll(() => t.close());

describe('wrong codes', () => {
  it('end the half-login after mfa.maxAttempts; the right code then no longer works', async () => {
    // Threat (items 19, 30): unlimited guesses at a 6-digit code after a correct password.
    const { user, agent, secret } = await startMfaLogin(t, 'gus', { enrolled: { factor: 'totp', next: '/private' }, next: '/private' });
    const failedBefore = t.events.of('loginFailed').length;
    for (let i = 1; i <= 2; i++) {
      const res = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret, 10 + i) });
      expect(res.status).toBe(401);
      expect(res.text).toContain(LOGIN_MESSAGES.mfa_code_invalid);
    }
    const last = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret, 13) });
    expect(last.status).toBe(429);
    expect(last.text).toContain(LOGIN_MESSAGES.mfa_too_many_attempts);
    expect(last.text).toContain('href="/accounts/login/?next=%2Fprivate"');
    const after = await agent.get('/accounts/verify/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/accounts/login/');
    expect(await isLoggedIn(agent)).toBe(false);

    const failures = t.events.of('loginFailed').slice(failedBefore);
    expect(failures).toHaveLength(3);
    for (const e of failures) {
      expect(e).toMatchObject({ username: 'gus', user: { id: user.id, username: 'gus' }, reason: 'second_factor_failed', method: 'mfa', rule: { name: 'MFA Required group' } });
      // Item 53: events never carry the codes.
      for (let i = 11; i <= 13; i++) expect(JSON.stringify(e)).not.toContain(totpCode(t, secret, i));
    }
  });

  it('count per user across half-logins: a new password does not reset the code budget', async () => {
    // Threat (item 19): an attacker with the password starts a fresh half-login after every few guesses.
    await mfaUser(t, 'hank');
    const { secret } = await enrollTotpUser(t, 'hank');
    for (let round = 0; round < 2; round++) {
      const agent = t.agent();
      await passwordStep(agent, 'hank');
      for (let i = 0; i < 2; i++) expect((await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret, 20 + round * 2 + i) })).status).toBe(401);
    }
    const agent = t.agent();
    await passwordStep(agent, 'hank');
    const res = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(res.status).toBe(429);
    expect(res.text).toContain(LOGIN_MESSAGES.throttled);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'hank', reason: 'throttled' });
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('the budget resets after a successful second factor', async () => {
    await mfaUser(t, 'ivy');
    const { secret } = await enrollTotpUser(t, 'ivy');
    for (let round = 0; round < 2; round++) {
      const agent = t.agent();
      await passwordStep(agent, 'ivy');
      for (let i = 0; i < 2; i++) expect((await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret, 30 + round * 2 + i) })).status).toBe(401);
      expect((await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) })).status).toBe(303);
      t.clock.advance(30_000);
    }
  });

  it('wrong recovery codes count like wrong codes', async () => {
    const { agent } = await startMfaLogin(t, 'jo', { enrolled: { factor: 'totp' } });
    for (const code of ['AAAAA-AAAAA', 'not a code']) {
      const res = await postForm(agent, '/accounts/verify/', { action: 'recovery', recovery_code: code });
      expect(res.status).toBe(401);
      expect(res.text).toContain(LOGIN_MESSAGES.mfa_recovery_invalid);
    }
    const third = await postForm(agent, '/accounts/verify/', { action: 'recovery', recovery_code: 'BBBBB-BBBBB' });
    expect(third.status).toBe(429);
    expect(third.text).toContain(LOGIN_MESSAGES.mfa_too_many_attempts);
  });

  it("WorkOS's per-challenge cap asks for a new code", async () => {
    const { agent } = await startMfaLogin(t, 'kim', { enrolled: { factor: 'sms', phone: '+15005550060' } });
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    t.emulator.faults.inject({ path: '/auth/challenges/*', method: 'POST', status: 400, body: { code: 'one_time_code_too_many_attempts', message: 'Too many attempts.' } });
    const res = await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550060') });
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_challenge_locked);
    expect(res.text).toContain('>Send code</button>');
    expect(await isLoggedIn(agent)).toBe(false);
  });
});

describe('SMS sends', () => {
  it('are limited per user (sms pumping); the refused send texts nothing', async () => {
    // Threat (item 19): a script presses "Send code" in a loop to run up SMS costs or spam the phone.
    // The enrollment text is the first send.
    const { agent } = await startMfaLogin(t, 'lou', { enrolled: { factor: 'sms', phone: '+15005550061' } });
    expect((await postForm(agent, '/accounts/verify/', { action: 'send' })).status).toBe(303);
    const count = t.emulator.outbox.messages({ to: '+15005550061' }).length;
    const refused = await postForm(agent, '/accounts/verify/', { action: 'send' });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain(LOGIN_MESSAGES.mfa_sms_throttled);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(t.emulator.outbox.messages({ to: '+15005550061' }).length).toBe(count);
    // The code already sent still works.
    expect((await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550061') })).status).toBe(303);
  });

  it('count enrollment sends too', async () => {
    const { agent } = await startMfaLogin(t, 'max');
    expect((await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550062' })).status).toBe(303);
    expect((await postForm(agent, '/accounts/enroll-sms/', { action: 'send' })).status).toBe(303);
    const refused = await postForm(agent, '/accounts/enroll-sms/', { action: 'send' });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain(LOGIN_MESSAGES.mfa_sms_throttled);
    const other = await postForm(agent, '/accounts/enroll-sms/', { action: 'restart' });
    expect(other.status).toBe(303);
    const number = await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550063' });
    expect(number.status).toBe(429);
    expect(number.text).toContain(LOGIN_MESSAGES.mfa_sms_throttled);
    expect(t.emulator.outbox.latest('+15005550063')).toBeUndefined();
  });
});
