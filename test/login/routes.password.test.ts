// The password step: generic failures, exact password checks, and the rule re-checked on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, createUser, csrf, isLoggedIn, passwordLogin, type Agent, type TestApp } from '../support/app.ts';
import { MFA_RULE } from '../support/mfa.ts';

// Mixed case, so that a login that folded case would show (the shared PASSWORD is all lower case).
const MIXED_CASE_PASSWORD = 'Correct Horse Battery';
// 64 ASCII characters (bcrypt sees them all) and 78 characters / 84 UTF-8 bytes (past bcrypt's 72-byte limit).
const ASCII_64 = 'Tr0ub4dor&3 is not as good as correct horse battery staple, ok?!';
const LONG_PASSWORD = 'a long passphrase: ' + 'Ünïcode & spaces  '.repeat(3) + 'tail!';
let t: TestApp;
let ssoRuleId: number;
let mfaUserId: number;

beforeAll(async () => {
  // Many wrong passwords for one account from one client (127.0.0.1): keep the backoff out of the way.
  t = await createTestApp({ config: { rateLimit: { perAccountIp: { points: 50, durationSeconds: 900, blockSeconds: 60, maxBlockSeconds: 60 } } } });
  await createUser(t.prisma, { username: 'carol', password: MIXED_CASE_PASSWORD });
  await createUser(t.prisma, { username: 'ascii64', password: ASCII_64 });
  await createUser(t.prisma, { username: 'long', password: LONG_PASSWORD });
  await createUser(t.prisma, { username: 'sso-dave', email: 'dave@sso-corp.test', password: MIXED_CASE_PASSWORD });
  mfaUserId = (await createUser(t.prisma, { username: 'mfa-erin', password: MIXED_CASE_PASSWORD, groups: ['MFA Required'] })).id;
  const enrolled = await createUser(t.prisma, { username: 'enrolled-fay', password: MIXED_CASE_PASSWORD });
  await t.prisma.mfaFactor.create({ data: { userId: enrolled.id, workosFactorId: 'auth_factor_test_fay', type: 'totp' } });
  ssoRuleId = (
    await t.login.rules.create({ name: 'Google for sso-corp', method: 'GoogleOAuth', priority: 20, emailRegex: '@sso-corp\\.test$' })
  ).id;
  await t.login.rules.create(MFA_RULE);
  // A magic-link rule chosen per user (a group), not by domain.
  await createUser(t.prisma, { username: 'magic-mona', password: MIXED_CASE_PASSWORD, groups: ['Magic links'] });
  await t.login.rules.create({ name: 'Magic for a group', method: 'magic', priority: 30, lookupAttributes: { groups: { some: { name: 'Magic links' } } } });
});
afterAll(() => t.close());

const usernameValue = (html: string) => /<input id="id_username" name="username"[^>]*? value="([^"]*)"/.exec(html)?.[1];

async function post(agent: Agent, fields: Record<string, string>) {
  const token = await csrf(agent);
  return agent.post('/accounts/login/').type('form').send({ _csrf: token, ...fields });
}

describe('failed passwords', () => {
  it('answers a wrong password and an unknown user with the same generic 401', async () => {
    // Threat (item 5): the failure message tells an attacker whether the username exists.
    const wrong = await post(t.agent(), { username: 'carol', password: 'not it' });
    const unknown = await post(t.agent(), { username: 'nobody-at-all', password: 'not it' });
    for (const [res, name] of [
      [wrong, 'carol'],
      [unknown, 'nobody-at-all'],
    ] as const) {
      expect(res.status).toBe(401);
      expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
      expect(usernameValue(res.text)).toBe(name);
      expect(res.text).toContain('name="password"');
      expect(res.headers.location).toBeUndefined();
    }
    const strip = (html: string, name: string) => html.split(name).join('«NAME»').replace(/value="[\w-]{43}"/g, 'value="«CSRF»"');
    expect(strip(unknown.text, 'nobody-at-all')).toBe(strip(wrong.text, 'carol'));
  });

  it('checks the password exactly as typed: no trimming, no case folding', async () => {
    // Threat (item 15): normalising passwords makes them easier to guess.
    for (const attempt of [`${MIXED_CASE_PASSWORD} `, ` ${MIXED_CASE_PASSWORD}`, MIXED_CASE_PASSWORD.toLowerCase(), MIXED_CASE_PASSWORD.toUpperCase()]) {
      const agent = t.agent();
      const res = await post(agent, { username: 'carol', password: attempt });
      expect(res.status).toBe(401);
      expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
      expect(await isLoggedIn(agent)).toBe(false);
    }
    const agent = t.agent();
    const ok = await post(agent, { username: 'carol', password: MIXED_CASE_PASSWORD });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/accounts/profile/');
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('accepts a 64-character password', async () => {
    // Threat (item 15): length caps push users to short, guessable passwords.
    expect(ASCII_64.length).toBe(64);
    const agent = t.agent();
    const res = await passwordLogin(agent, 'ascii64', ASCII_64);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toBe('profile of ascii64');
  });

  it('accepts a passphrase past 72 bytes and still checks its last characters', async () => {
    // Threat (items 14, 15): bcrypt's silent 72-byte truncation lets a near-miss long password in.
    expect(LONG_PASSWORD.length).toBe(78);
    expect(Buffer.byteLength(LONG_PASSWORD)).toBe(84);
    const agent = t.agent();
    const res = await passwordLogin(agent, 'long', LONG_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toBe('profile of long');
    // A near miss on the last character still fails.
    const miss = await post(t.agent(), { username: 'long', password: LONG_PASSWORD.slice(0, -1) + '?' });
    expect(miss.status).toBe(401);
    expect(miss.text).toContain(LOGIN_MESSAGES.invalid_credentials);
  });

  it('asks for the password again when it is missing', async () => {
    const agent = t.agent();
    const res = await post(agent, { username: 'carol', password: '' });
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect(await isLoggedIn(agent)).toBe(false);
  });
});

describe('the rule is resolved on the server', () => {
  it('refuses a password from a user whose rule is SSO, even when it is correct', async () => {
    // Threat (item 9): an SSO-only user downgrades to a password by posting to the password form.
    const agent = t.agent();
    const res = await post(agent, { username: 'sso-dave', password: MIXED_CASE_PASSWORD });
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect(res.headers.location).toBeUndefined();
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'sso-dave', reason: 'method_not_allowed', rule: { id: ssoRuleId } });
  });

  it('answers a password for a magic-link or SSO user, right or wrong, exactly as for an unknown name', async () => {
    // Threat (items 7, H7): a 403 "method not available" confirms that the account exists and tells its method.
    const strip = (html: string, name: string) => html.split(name).join('«NAME»').replace(/value="[\w-]{43}"/g, 'value="«CSRF»"');
    const unknown = await post(t.agent(), { username: 'nobody-at-all', password: MIXED_CASE_PASSWORD });
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    for (const username of ['sso-dave', 'magic-mona']) {
      for (const password of [MIXED_CASE_PASSWORD, 'not it']) {
        const agent = t.agent();
        const res = await post(agent, { username, password });
        expect({ username, password, status: res.status }).toEqual({ username, password, status: 401 });
        expect(res.headers.location).toBeUndefined();
        expect(strip(res.text, username)).toBe(strip(unknown.text, 'nobody-at-all'));
        expect(await isLoggedIn(agent)).toBe(false);
        // The host still learns why.
        expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username, user: { username }, reason: 'method_not_allowed' });
      }
    }
  });

  it('ignores tampered method and rule fields', async () => {
    // Threat (item 11): a hidden field (method, rule id) chosen by the client selects a weaker method.
    const agent = t.agent();
    const res = await post(agent, { username: 'sso-dave', password: MIXED_CASE_PASSWORD, method: 'password', rule: '1', ruleId: '1' });
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect(await isLoggedIn(agent)).toBe(false);
    // The other way round: a password user naming the SSO rule still logs in with the password rule.
    const other = t.agent();
    const ok = await post(other, { username: 'carol', password: MIXED_CASE_PASSWORD, method: 'GoogleOAuth', rule: String(ssoRuleId) });
    expect(ok.status).toBe(303);
    expect(t.events.of('login').at(-1)?.rule?.name).toBe('Username/password login');
  });

  it('does not log in an mfa-rule user on the password alone', async () => {
    // Threat (items 9, 22): a correct password skips the second factor the rule requires.
    const agent = t.agent();
    const before = t.events.of('login').length;
    const res = await passwordLogin(agent, 'mfa-erin', MIXED_CASE_PASSWORD, '/private');
    // The second factor comes next (enrollment, as erin has no factor yet): no login.
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/enroll/');
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('login').length).toBe(before);
    expect(t.events.of('login').some((e) => e.user.id === mfaUserId)).toBe(false);
  });

  it('does not log in a password-rule user who enrolled a factor on the password alone', async () => {
    // Threat (item 22): an enrolled second factor is skipped because the user's rule is plain password.
    expect((await t.login.explain('enrolled-fay')).rule?.method).toBe('password');
    const agent = t.agent();
    const before = t.events.of('login').length;
    const res = await passwordLogin(agent, 'enrolled-fay', MIXED_CASE_PASSWORD, '/private');
    // Her factor is asked for next: no login.
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('login').length).toBe(before);
  });
});
