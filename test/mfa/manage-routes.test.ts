// Threat (checklist items 31, 44, 25): a logged-in user cannot see, replace or remove their own factor, or can
// change it without re-authenticating (a stolen session swaps in the attacker's phone), or removes MFA that their
// rule requires; the change is not announced and the old factor, its recovery codes and other sessions survive.
// mfa/ shows the factor and removes or replaces it after the password or a current code, and emits `mfaChanged`.
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, csrf, csrfFrom, createTestApp, isLoggedIn, passwordLogin, postForm, type Agent, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, enrollSmsUser, enrollTotpUser, mfaUser, recoveryCodesIn, smsCode, startTotpEnrollment, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
let sdk: WorkOS;

beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
  sdk = new WorkOS(t.emulator.apiKey, t.emulator.sdkOptions);
});
afterAll(() => t.close());

const page = (agent: Agent) => agent.get('/accounts/mfa/');
const post = (agent: Agent, fields: Record<string, string>) => postForm(agent, '/accounts/mfa/', fields);
const factorsOf = (userId: number) => t.prisma.mfaFactor.findMany({ where: { userId } });

/** A user enrolled with TOTP under the MFA rule, then moved to the default password rule (their factor still binds). */
async function passwordRuleUserWithTotp(username: string) {
  const user = await mfaUser(t, username);
  const enrolled = await enrollTotpUser(t, username);
  await t.prisma.user.update({ where: { id: user.id }, data: { groups: { set: [] } } });
  return { user, ...enrolled };
}

describe('seeing the factor', () => {
  it('needs a logged-in user', async () => {
    const res = await t.agent().get('/accounts/mfa/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fmfa%2F');
  });

  it('shows the factor; under an mfa rule it can be replaced, not removed', async () => {
    await mfaUser(t, 'mona');
    const { agent } = await enrollTotpUser(t, 'mona');
    const res = await page(agent);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toMatch(/An authenticator app, added \d{4}-\d{2}-\d{2}, last used \d{4}-\d{2}-\d{2}\./);
    expect(res.text).toContain('value="replace"');
    expect(res.text).not.toContain('value="remove"');
    expect(res.text).toContain('Your account requires two-step verification: you can replace your factor, but not remove it.');
    expect(res.text).toContain('<label for="id_password">Password</label>');
    expect(res.text).toContain('<label for="id_code">or a 6-digit code</label>');
  });

  it('a user without a factor is told so, with nothing to submit', async () => {
    const agent = t.agent();
    await mfaUser(t, 'nina');
    await t.prisma.user.update({ where: { username: 'nina' }, data: { groups: { set: [] } } });
    expect((await passwordLogin(agent, 'nina', PASSWORD)).status).toBe(303);
    const res = await page(agent);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Two-step verification is not set up for your account.');
    expect(res.text).not.toContain('name="action"');
  });
});

describe('removing it', () => {
  it('is refused when the rule is mfa, even with the right password', async () => {
    const user = await mfaUser(t, 'otto');
    const { agent } = await enrollTotpUser(t, 'otto');
    const res = await post(agent, { action: 'remove', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_remove_not_allowed);
    expect(await factorsOf(user.id)).toHaveLength(1);
    expect(t.events.of('mfaChanged')).toEqual([]);
  });

  it('needs the password or a current code: none, a wrong password or a wrong code change nothing', async () => {
    const { user, agent } = await passwordRuleUserWithTotp('pia');
    const none = await post(agent, { action: 'remove' });
    expect(none.status).toBe(400);
    expect(none.text).toContain(LOGIN_MESSAGES.mfa_reauth_required);
    const wrong = await post(agent, { action: 'remove', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(LOGIN_MESSAGES.mfa_reauth_failed);
    const badCode = await post(agent, { action: 'remove', code: '000000' });
    expect(badCode.status).toBe(401);
    expect(badCode.text).toContain(LOGIN_MESSAGES.mfa_code_invalid);
    expect(await factorsOf(user.id)).toHaveLength(1);
    expect(t.events.of('mfaChanged')).toEqual([]);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('with the password: the factor goes here and at WorkOS with its recovery codes, other sessions end, this one stays', async () => {
    const { user, agent, secret } = await passwordRuleUserWithTotp('quinn');
    const [factor] = await factorsOf(user.id);
    const other = t.agent();
    // Another browser of the same user (password + the factor, which binds under the password rule).
    expect((await passwordLogin(other, 'quinn', PASSWORD)).headers.location).toBe('/accounts/verify/');
    expect((await postForm(other, '/accounts/verify/', { action: 'verify', code: totpCode(t, secret) })).status).toBe(303);
    expect(await isLoggedIn(other)).toBe(true);

    const res = await post(agent, { action: 'remove', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/mfa/');
    expect(await factorsOf(user.id)).toEqual([]);
    expect(await t.prisma.mfaRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    await expect(sdk.mfa.getFactor(factor!.workosFactorId)).rejects.toMatchObject({ status: 404 });
    expect(t.events.of('mfaChanged').at(-1)).toMatchObject({
      user: { id: user.id, username: 'quinn' },
      action: 'remove',
      factors: [{ id: factor!.id, type: 'totp' }],
      rule: { name: 'Username/password login', method: 'password' },
      via: 'password',
    });
    expect(JSON.stringify(t.events.of('mfaChanged').at(-1))).not.toMatch(/passwordHash|workosFactorId|auth_factor/);
    expect(await isLoggedIn(agent)).toBe(true);
    expect(await isLoggedIn(other)).toBe(false);
    const after = await page(agent);
    expect(after.text).toContain('Two-step verification was removed from your account.');
    expect(after.text).toContain('Two-step verification is not set up for your account.');
    // The next login needs the password alone.
    expect((await passwordLogin(t.agent(), 'quinn', PASSWORD)).headers.location).toBe('/accounts/profile/');
  });

  it('with a current code instead of the password', async () => {
    const { user, agent, secret } = await passwordRuleUserWithTotp('rita');
    const code = totpCode(t, secret);
    const res = await post(agent, { action: 'remove', code });
    expect(res.status).toBe(303);
    expect(await factorsOf(user.id)).toEqual([]);
    expect(t.events.of('mfaChanged').at(-1)).toMatchObject({ user: { username: 'rita' }, action: 'remove', via: 'code' });
  });
});

describe('replacing it', () => {
  it('mfa rule, TOTP, with a current code: the old factor goes, then the usual enrollment logs in again and comes back', async () => {
    const user = await mfaUser(t, 'sven');
    const { agent, secret } = await enrollTotpUser(t, 'sven');
    const [old] = await factorsOf(user.id);
    const enrolledBefore = t.events.of('mfaEnrolled').length;

    const res = await post(agent, { action: 'replace', code: totpCode(t, secret) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/enroll/');
    expect(await factorsOf(user.id)).toEqual([]);
    await expect(sdk.mfa.getFactor(old!.workosFactorId)).rejects.toMatchObject({ status: 404 });
    expect(t.events.of('mfaChanged').at(-1)).toMatchObject({ user: { username: 'sven' }, action: 'replace', factors: [{ id: old!.id, type: 'totp' }], via: 'code', rule: { name: 'MFA Required group' } });
    // Until the new factor is saved this browser is a half-login, not a session.
    expect(await isLoggedIn(agent)).toBe(false);

    const { secret: fresh } = await startTotpEnrollment(agent);
    expect(fresh).not.toBe(secret);
    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, fresh) });
    expect(shown.status).toBe(200);
    expect(recoveryCodesIn(shown.text)).toHaveLength(10);
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/accounts/mfa/');
    expect(await isLoggedIn(agent)).toBe(true);
    const now = await factorsOf(user.id);
    expect(now).toHaveLength(1);
    expect(now[0]!.workosFactorId).not.toBe(old!.workosFactorId);
    expect(t.events.of('mfaEnrolled')).toHaveLength(enrolledBefore + 1);
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { username: 'sven' }, method: 'mfa' });
  });

  it('SMS, with a texted code: "Text me a code", then the code, then a new phone', async () => {
    const user = await mfaUser(t, 'tara');
    const { agent } = await enrollSmsUser(t, 'tara', '+15005550101');
    const before = await page(agent);
    expect(before.text).toContain('Text messages to the phone number ending in <strong>0101</strong>');
    const sent = await post(agent, { action: 'send' });
    expect(sent.status).toBe(303);
    expect((await page(agent)).text).toContain('We sent a code by text message.');
    const res = await post(agent, { action: 'replace', code: smsCode(t, '+15005550101') });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/enroll/');
    expect(t.events.of('mfaChanged').at(-1)).toMatchObject({ user: { username: 'tara' }, action: 'replace', factors: [{ type: 'sms' }], via: 'code' });
    expect((await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550102' })).status).toBe(303);
    const shown = await postForm(agent, '/accounts/enroll-sms/', { action: 'verify', code: smsCode(t, '+15005550102') });
    expect(shown.status).toBe(200);
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.headers.location).toBe('/accounts/mfa/');
    expect((await factorsOf(user.id)).map((f) => f.phoneNumber)).toEqual(['+15005550102']);
  });

  it('under a password rule whose factor binds: the password, then a new factor labelled with the site', async () => {
    const { user, agent } = await passwordRuleUserWithTotp('ulla');
    const res = await post(agent, { action: 'replace', password: PASSWORD });
    expect(res.headers.location).toBe('/accounts/enroll/');
    expect(t.events.of('mfaChanged').at(-1)).toMatchObject({ user: { username: 'ulla' }, action: 'replace', via: 'password', rule: { method: 'password' } });
    const { html, secret } = await startTotpEnrollment(agent);
    expect(html).toContain('Account: ulla@example.test · Issuer: app.test · Time-based');
    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) });
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.headers.location).toBe('/accounts/mfa/');
    expect(await factorsOf(user.id)).toHaveLength(1);
    // The new factor binds the next login.
    t.clock.advance(30_000);
    expect((await passwordLogin(t.agent(), 'ulla', PASSWORD)).headers.location).toBe('/accounts/verify/');
  });
});

describe('failures', () => {
  it('wrong passwords are throttled like logins: after the account limit even the right one is refused', async () => {
    const { user, agent } = await passwordRuleUserWithTotp('wanda');
    let status = 0;
    for (let i = 0; i < 11 && status !== 429; i++) status = (await post(agent, { action: 'remove', password: `guess ${i}` })).status;
    expect(status).toBe(429);
    const res = await post(agent, { action: 'remove', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.text).toContain(LOGIN_MESSAGES.throttled);
    expect(await factorsOf(user.id)).toHaveLength(1);
  });

  it('WorkOS failing to send the SMS shows "try again" and changes nothing', async () => {
    const user = await mfaUser(t, 'xena');
    const { agent } = await enrollSmsUser(t, 'xena', '+15005550111');
    const [factor] = await factorsOf(user.id);
    t.emulator.faults.inject({ path: `/auth/factors/${factor!.workosFactorId}/challenge`, method: 'POST', status: 500 });
    const res = await post(agent, { action: 'send' });
    expect(res.status).toBe(503);
    expect(res.text).toContain(LOGIN_MESSAGES.upstream);
    expect(res.text).toContain('href="/accounts/mfa/"');
    expect(await factorsOf(user.id)).toHaveLength(1);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('WorkOS failing to delete the old factor still removes it here (it can no longer be used) and logs it', async () => {
    const { user, agent } = await passwordRuleUserWithTotp('yves');
    const [factor] = await factorsOf(user.id);
    t.emulator.faults.inject({ path: `/auth/factors/${factor!.workosFactorId}`, method: 'DELETE', status: 500 });
    const res = await post(agent, { action: 'remove', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(await factorsOf(user.id)).toEqual([]);
    expect(t.logs.some((l) => l.startsWith(`express-workos-login: could not delete factor ${factor!.workosFactorId} at WorkOS`))).toBe(true);
  });
});

describe('CSRF', () => {
  it('refuses a remove or replace POST without this session\'s token, and changes nothing', async () => {
    const { user, agent } = await passwordRuleUserWithTotp('vito');
    await page(agent);
    const foreign = await csrf(t.agent());
    for (const action of ['remove', 'replace', 'send']) {
      for (const token of [undefined, foreign]) {
        const res = await agent.post('/accounts/mfa/').type('form').send({ ...(token ? { _csrf: token } : {}), action, password: PASSWORD });
        expect(res.status, `${action} ${token ? 'foreign' : 'missing'}`).toBe(403);
        expect(res.text).toContain(LOGIN_MESSAGES.csrf);
      }
    }
    expect(await factorsOf(user.id)).toHaveLength(1);
    expect(t.events.of('mfaChanged').filter((e) => e.user.id === user.id)).toEqual([]);
    expect(await isLoggedIn(agent)).toBe(true);
  });
});
