// Every MFA POST needs this session's CSRF token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, csrf, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, smsCode, startMfaLogin, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

const enrollPosts: [string, Record<string, string>][] = [
  ['/accounts/enroll-totp/', { action: 'start' }],
  ['/accounts/enroll-totp/', { action: 'verify', code: '123456' }],
  ['/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550080' }],
  ['/accounts/enroll-sms/', { action: 'send' }],
  ['/accounts/enroll-sms/', { action: 'verify', code: '123456' }],
  ['/accounts/enroll-sms/', { action: 'restart' }],
  ['/accounts/recovery-codes/', {}],
];
const verifyPosts: [string, Record<string, string>][] = [
  ['/accounts/verify/', { action: 'send' }],
  ['/accounts/verify/', { action: 'verify', code: '123456' }],
  ['/accounts/verify/', { action: 'recovery', recovery_code: 'AAAAA-AAAAA' }],
];

describe('CSRF on MFA forms', () => {
  it('refuses every enrollment POST without a token or with another session\'s token', async () => {
    // Threat (item 26): a cross-site form drives enrollment (e.g. sends SMS or enrolls an attacker's phone).
    const { user, agent } = await startMfaLogin(t, 'cora');
    const foreign = await csrf(t.agent());
    for (const [path, fields] of enrollPosts) {
      for (const token of [undefined, foreign]) {
        const res = await agent.post(path).type('form').send(token ? { _csrf: token, ...fields } : fields);
        expect(res.status, `${path} ${JSON.stringify(fields)}`).toBe(403);
        expect(res.text).toContain(LOGIN_MESSAGES.csrf);
      }
    }
    expect(t.emulator.outbox.latest('+15005550080')).toBeUndefined();
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
    // The half-login is untouched: enrollment still works with the token.
    const { secret } = await startTotpEnrollment(agent);
    expect((await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) })).status).toBe(200);
  });

  it('refuses every verify POST without a token, even with the right code', async () => {
    // Threat (item 26): login CSRF through the second-factor form.
    const { agent } = await startMfaLogin(t, 'dora', { enrolled: { factor: 'sms', phone: '+15005550081' } });
    const count = t.emulator.outbox.messages({ to: '+15005550081' }).length;
    for (const [path, fields] of verifyPosts) {
      const res = await agent.post(path).type('form').send(fields);
      expect(res.status).toBe(403);
      expect(res.text).toContain(LOGIN_MESSAGES.csrf);
    }
    expect(t.emulator.outbox.messages({ to: '+15005550081' }).length).toBe(count);
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const refused = await agent.post('/accounts/verify/').type('form').send({ code: smsCode(t, '+15005550081') });
    expect(refused.status).toBe(403);
    expect(await isLoggedIn(agent)).toBe(false);
    expect((await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550081') })).status).toBe(303);
  });
});
