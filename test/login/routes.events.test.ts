// Audit events of the login page: login and loginFailed carry user, rule, method and IP, never the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type TestApp } from '../support/app.ts';

const WRONG = 'Wr0ng-guess passphrase #43';
let t: TestApp;
let graceId: number;
let ssoId: number;

beforeAll(async () => {
  t = await createTestApp();
  graceId = (await createUser(t.prisma, { username: 'grace', password: PASSWORD })).id;
  ssoId = (await createUser(t.prisma, { username: 'sso-heidi', email: 'heidi@sso-corp.test', password: PASSWORD })).id;
  await t.login.rules.create({ name: 'Google for sso-corp', method: 'GoogleOAuth', priority: 20, emailRegex: '@sso-corp\\.test$' });
});
afterAll(() => t.close());

describe('audit events', () => {
  it('emits login with the user, rule, method and IP', async () => {
    // Threat (item 43): successful logins leave no trace to investigate.
    const res = await passwordLogin(t.agent().set('User-Agent', 'audit-test/1.0'), 'grace', PASSWORD);
    expect(res.status).toBe(303);
    const event = t.events.of('login').at(-1)!;
    expect(event.user).toMatchObject({ id: graceId, username: 'grace', email: 'grace@example.test' });
    expect(event.user).not.toHaveProperty('passwordHash');
    expect(event.rule).toEqual({ id: expect.any(Number), name: 'Username/password login', method: 'password' });
    expect(event.method).toBe('password');
    expect(event.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(event.userAgent).toBe('audit-test/1.0');
  });

  it('emits loginFailed with the reason, rule and IP for a wrong password', async () => {
    // Threat (item 43): password guessing goes unnoticed.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'grace', password: WRONG });
    expect(res.status).toBe(401);
    const event = t.events.of('loginFailed').at(-1)!;
    expect(event).toMatchObject({
      username: 'grace',
      user: { id: graceId, username: 'grace' },
      rule: { name: 'Username/password login', method: 'password' },
      method: 'password',
      reason: 'invalid_credentials',
    });
    expect(event.ip).toMatch(/127\.0\.0\.1|::1/);
  });

  it('emits loginFailed without a user or rule for an unknown name', async () => {
    // Threat (item 43): guessing of usernames goes unnoticed.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'no-such-user', password: WRONG });
    expect(res.status).toBe(401);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'no-such-user', user: null, rule: null, method: null, reason: 'invalid_credentials' });
  });

  it('emits loginFailed with the SSO rule when a password is refused by the rule', async () => {
    // Threat (items 9, 43): method downgrade attempts go unnoticed.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'sso-heidi', password: PASSWORD });
    expect(res.status).toBe(401);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({
      user: { id: ssoId, username: 'sso-heidi' },
      rule: { name: 'Google for sso-corp', method: 'GoogleOAuth' },
      method: 'GoogleOAuth',
      reason: 'method_not_allowed',
    });
  });

  it('never puts a password in any event', async () => {
    // Threat (items 43, 53): passwords end up in logs through event payloads.
    const agent = t.agent();
    await passwordLogin(agent, 'grace', PASSWORD);
    const token = await csrf(agent);
    await agent.post('/accounts/logout/').type('form').send({ _csrf: token });
    expect(t.events.of('login').length).toBeGreaterThanOrEqual(2);
    expect(t.events.of('loginFailed').length).toBeGreaterThanOrEqual(3);
    expect(t.events.of('logout').length).toBeGreaterThanOrEqual(1);
    const log = JSON.stringify(t.events.all);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(WRONG);
    expect(log).not.toContain('$2b$');
  });
});
