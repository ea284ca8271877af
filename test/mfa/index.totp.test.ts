// TOTP: enrollment from a half-login (QR code, secret, first code), then later logins with the app's code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, csrfFrom, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { ISSUER, MFA_RULE, recoveryCodesIn, startMfaLogin, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

describe('TOTP enrollment', () => {
  it('offers TOTP and SMS on enroll/ after the password', async () => {
    const { agent, location } = await startMfaLogin(t, 'tina');
    expect(location).toBe('/accounts/enroll/');
    const page = await agent.get('/accounts/enroll/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Set up two-step verification</h1>');
    expect(page.text).toContain('>Use an authenticator app</button>');
    expect(page.text).toContain('href="/accounts/enroll-sms/"');
    expect(page.text).toContain('Use text messages (SMS)');
  });

  it('shows the QR code and the secret, saves the factor only after a code verifies, then shows 10 recovery codes', async () => {
    const { user, agent } = await startMfaLogin(t, 'tom', { user: { email: 'tom@acme.test' } });
    const { secret, html } = await startTotpEnrollment(agent);
    expect(html).toMatch(/<img class="ewl-qr" src="data:image\/png;base64,[A-Za-z0-9+/=]+" width="200" height="200" alt="QR code to add tom@acme.test at Acme MFA to your authenticator app">/);
    expect(html).toContain(`Account: tom@acme.test · Issuer: ${ISSUER}`);
    expect(html).not.toContain(`name="factor`);
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);

    const wrong = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret, 5) });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(LOGIN_MESSAGES.mfa_code_invalid);
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await isLoggedIn(agent)).toBe(false);

    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) });
    expect(shown.status).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    const codes = recoveryCodesIn(shown.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(shown.text).toContain('they are shown only this once');
    const factors = await t.prisma.mfaFactor.findMany({ where: { userId: user.id } });
    expect(factors).toHaveLength(1);
    expect(factors[0]).toMatchObject({ type: 'totp', phoneNumber: null });
    expect(factors[0]!.workosFactorId).toMatch(/^auth_factor_/);
    const stored = await t.prisma.mfaRecoveryCode.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(10);
    for (const row of stored) {
      expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
      for (const code of codes) expect(row.codeHash).not.toContain(code.replace('-', ''));
    }
    // Not logged in until the person confirms they saved the codes.
    expect(await isLoggedIn(agent)).toBe(false);
    const reload = await agent.get('/accounts/recovery-codes/');
    expect(reload.status).toBe(200);
    expect(recoveryCodesIn(reload.text)).toEqual([]);
    expect(reload.text).toContain('cannot be shown again');

    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(reload.text) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/accounts/profile/');
    expect(await isLoggedIn(agent)).toBe(true);
    expect(t.events.of('mfaEnrolled').at(-1)).toMatchObject({ user: { id: user.id, username: 'tom' }, factor: { id: factors[0]!.id, type: 'totp' }, rule: { name: 'MFA Required group' } });
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { id: user.id }, method: 'mfa' });
  });
});

describe('TOTP verification at a later login', () => {
  it('asks for the app code on verify/ and logs in with it', async () => {
    const { user, agent, secret, location } = await startMfaLogin(t, 'tess', { enrolled: { factor: 'totp' } });
    expect(location).toBe('/accounts/verify/');
    const page = await agent.get('/accounts/verify/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Enter the code from your authenticator app.');
    expect(page.text).toContain('<label for="id_code">6-digit code</label>');
    expect(page.text).not.toContain('Send code');
    const before = await t.prisma.mfaFactor.findFirstOrThrow({ where: { userId: user.id } });
    t.clock.advance(1000);
    const ok = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/accounts/profile/');
    expect(await isLoggedIn(agent)).toBe(true);
    const after = await t.prisma.mfaFactor.findFirstOrThrow({ where: { userId: user.id } });
    expect(after.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before.lastUsedAt!.getTime());
  });

  it('accepts a code typed with spaces and refuses a wrong one with a message', async () => {
    const { agent, secret } = await startMfaLogin(t, 'theo', { enrolled: { factor: 'totp' } });
    const wrong = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret, 4) });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(LOGIN_MESSAGES.mfa_code_invalid);
    expect(await isLoggedIn(agent)).toBe(false);
    const format = await postForm(agent, '/accounts/verify/', { code: '12ab' });
    expect(format.status).toBe(400);
    expect(format.text).toContain(LOGIN_MESSAGES.mfa_code_format);
    const code = totpCode(t, secret);
    const ok = await postForm(agent, '/accounts/verify/', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(ok.status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });
});
