// Threat/contract: a login method added through the method contract alone (test/methods/fixed-code/, passed in
// `methods`) gets rule validation, step 2, the shared step order (an enrolled MFA factor still binds), CSRF and
// server-side re-resolution, with no edit anywhere else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, LOGIN_MESSAGES, RuleValidationError } from '../../src/index.ts';
import { createTestApp, createUser, csrf, csrfFrom, isLoggedIn, passwordLogin, PASSWORD, type TestApp } from '../support/app.ts';
import { FIXED_CODE_MESSAGES, fixedCodeMethod } from './fixed-code/index.ts';

const CODE = '424242';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    methods: [fixedCodeMethod(CODE)],
    rules: [
      { name: 'Fixed code', method: 'fixed_code', priority: 10, emailRegex: '@fixed\\.test$' },
      { name: 'Everyone else', method: 'password', priority: 100, emailRegex: '.*' },
    ],
  });
  await createUser(t.prisma, { username: 'fay', email: 'fay@fixed.test' });
  const gil = await createUser(t.prisma, { username: 'gil', email: 'gil@fixed.test' });
  // gil has enrolled an MFA factor: the shared flow sends him to it after the code.
  await t.prisma.mfaFactor.create({ data: { userId: gil.id, workosFactorId: 'auth_factor_gil', type: 'totp' } });
});
afterAll(() => t.close());

async function stepOne(agent: ReturnType<TestApp['agent']>, username: string, next = '') {
  const token = await csrf(agent);
  return agent.post('/accounts/login/').type('form').send({ _csrf: token, username, next });
}

describe('a method added through the contract', () => {
  it('its rules are validated by its own checks, and its method name is known to the rule API', async () => {
    const err = await t.login.rules.create({ name: 'No regex', method: 'fixed_code', priority: 20, lookupAttributes: { isStaff: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleValidationError);
    expect((err as RuleValidationError).issues).toEqual([{ path: 'emailRegex', message: 'the fixed_code method targets users by email regex only' }]);
  });

  it('two modules serving one rule method are refused at start-up, naming the method', async () => {
    let caught: unknown;
    try {
      await createTestApp({ db: t.db, methods: [fixedCodeMethod('1'), fixedCodeMethod('2')] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues).toEqual(['methods: two method modules serve the rule method "fixed_code"']);
  });

  it('a router without the module refuses its method by name', async () => {
    const bare = await createTestApp({ db: t.db });
    const err = await bare.login.rules.create({ name: 'Orphan', method: 'fixed_code', priority: 30, emailRegex: 'x' }).catch((e: unknown) => e);
    expect((err as RuleValidationError).issues[0]).toMatchObject({ path: 'method', message: expect.stringContaining('unknown login method "fixed_code"') });
    await bare.close();
  });

  it('step 2 is its own page, and the right code logs in and keeps next', async () => {
    const agent = t.agent();
    const page = await stepOne(agent, 'fay', '/private');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Fixed code');
    const done = await agent.post('/accounts/fixed-code/').type('form').send({ _csrf: csrfFrom(page.text), code: CODE });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/private');
    expect(await isLoggedIn(agent)).toBe(true);
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { username: 'fay' }, method: 'fixed_code', rule: { name: 'Fixed code' } });
  });

  it('a wrong code is refused with its own message and logs nobody in', async () => {
    const agent = t.agent();
    const page = await stepOne(agent, 'fay');
    const wrong = await agent.post('/accounts/fixed-code/').type('form').send({ _csrf: csrfFrom(page.text), code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(FIXED_CODE_MESSAGES.fixed_code_wrong);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('its POST needs the CSRF token like every other form', async () => {
    const agent = t.agent();
    await stepOne(agent, 'fay');
    const forged = await agent.post('/accounts/fixed-code/').type('form').send({ code: CODE });
    expect(forged.status).toBe(403);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('the shared step order applies: a user with an enrolled MFA factor is sent to it after the code', async () => {
    const agent = t.agent();
    const page = await stepOne(agent, 'gil', '/private');
    const after = await agent.post('/accounts/fixed-code/').type('form').send({ _csrf: csrfFrom(page.text), code: CODE });
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('the password form cannot stand in for it: a correct password for its user is refused', async () => {
    const agent = t.agent();
    const res = await passwordLogin(agent, 'fay', PASSWORD);
    // Refused like a wrong password, so that the answer does not tell the method (items 7, H7).
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'fay', reason: 'method_not_allowed' });
  });
});
