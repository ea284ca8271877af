// The half-login expires (mfa.pendingTtlSeconds) and ends when the account changes under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, csrfFrom, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, passwordStep, startMfaLogin, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { mfa: { pendingTtlSeconds: 120 } } });
});
afterAll(() => t.close());

describe('pending half-login', () => {
  it('works until mfa.pendingTtlSeconds, then asks for the password again and keeps next', async () => {
    // Threat: a half-logged-in session left open forever (the original never expires it).
    const { agent: early, secret } = await startMfaLogin(t, 'nell', { enrolled: { factor: 'totp' } });
    t.clock.advance(119_000);
    expect((await postForm(early, '/accounts/verify/', { code: totpCode(t, secret) })).status).toBe(303);

    t.clock.advance(30_000);
    const late = t.agent();
    await passwordStep(late, 'nell', '/private');
    const token = csrfFrom((await late.get('/accounts/verify/')).text);
    t.clock.advance(121_000);
    const page = await late.get('/accounts/verify/');
    expect(page.status).toBe(401);
    expect(page.text).toContain(LOGIN_MESSAGES.mfa_expired);
    expect(page.text).toContain('<a href="/accounts/login/?next=%2Fprivate">Log in again</a>');
    const post = await late.post('/accounts/verify/').type('form').send({ _csrf: token, code: totpCode(t, secret) });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/accounts/login/');
    expect(await isLoggedIn(late)).toBe(false);
  });

  it('an expired enrollment saves nothing', async () => {
    const { user, agent } = await startMfaLogin(t, 'olga');
    const { secret } = await startTotpEnrollment(agent);
    t.clock.advance(121_000);
    const res = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) }, '/accounts/login/');
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_expired);
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.prisma.mfaRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
  });

  it('ends when all sessions of the user are ended', async () => {
    // Threat (item 25): an admin ends a suspicious user's sessions, but a pending half-login survives.
    const { user, agent, secret } = await startMfaLogin(t, 'pia', { enrolled: { factor: 'totp' } });
    await t.login.endSessions(user.id);
    const res = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) }, '/accounts/login/');
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_expired);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('ends when the user is deactivated', async () => {
    const { user, agent, secret } = await startMfaLogin(t, 'quinn', { enrolled: { factor: 'totp' } });
    await t.prisma.user.update({ where: { id: user.id }, data: { isActive: false } });
    const res = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) }, '/accounts/login/');
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_expired);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('ends when the user\'s rule no longer asks for a password and MFA', async () => {
    // Threat (item 45): the rule changed to SSO during the half-login; the login must not complete on the old rule.
    const { agent, secret } = await startMfaLogin(t, 'rex', { user: { email: 'rex@moved-to-sso.test' }, enrolled: { factor: 'totp' } });
    const rule = await t.login.rules.create({ name: 'SSO now', method: 'GoogleOAuth', priority: 1, emailRegex: '@moved-to-sso\\.test$' });
    t.clock.advance(2000);
    try {
      const res = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) }, '/accounts/login/');
      expect(res.status).toBe(403);
      expect(res.text).toContain(LOGIN_MESSAGES.method_not_allowed);
      expect(await isLoggedIn(agent)).toBe(false);
    } finally {
      await t.login.rules.delete(rule.id);
    }
  });
});
