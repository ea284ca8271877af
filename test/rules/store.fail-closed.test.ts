// Threat: H14 (django-workos) — a rule row that fails validation (written straight to the database) is skipped, so
// the users it targeted fall through to a lower rule: an MFA user logs in with the password alone, and an SSO
// profile is created just in time under a rule a broken one should have come before. A broken enabled rule fails
// closed: "login is temporarily unavailable", an error naming the rule, and `explain` says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, mfaUser } from '../support/mfa.ts';
import { idpInitiatedLogin, whoAmI } from '../support/workos.ts';

let t: WorkosTestApp;
let mfaRuleId: number;
const UNAVAILABLE = 'Login is temporarily unavailable. Please try again later or contact your administrator.';

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  await t.login.rules.create({ name: 'Staff use passwords', method: 'password', priority: 5, lookupAttributes: { isStaff: true } });
  mfaRuleId = (await t.login.rules.create(MFA_RULE)).id;
  await t.login.rules.create({ name: 'Solo SAML', method: 'sso', priority: 20, connectionId: 'conn_solo_saml', emailRegex: '@solo\\.test$', jitCreation: 'idp', allowIdpInitiated: true });
  await mfaUser(t, 'mallory-mfa');
  const staff = await createUser(t.prisma, { username: 'stan', groups: ['MFA Required'] });
  await t.prisma.user.update({ where: { id: staff.id }, data: { isStaff: true } });
  await createUser(t.prisma, { username: 'plain' });
  // A hand-edit breaks the MFA rule: `mfa` needs a TOTP organization name.
  await t.prisma.loginRule.update({ where: { id: mfaRuleId }, data: { totpOrganizationName: '' } });
  t.login.rules.invalidate();
});
afterAll(() => t.close());

describe('a broken MFA rule', () => {
  it('its user is refused with "temporarily unavailable" instead of logging in with the password alone', async () => {
    const agent = t.agent();
    const res = await passwordLogin(agent, 'mallory-mfa', PASSWORD);
    expect(res.status).toBe(503);
    expect(res.text).toContain(UNAVAILABLE);
    expect(await whoAmI(agent)).toBeNull();
    expect(t.events.of('login').map((e) => e.user.username)).not.toContain('mallory-mfa');
  });

  it('an error is logged naming the rule', () => {
    const line = t.logs.find((l) => l.startsWith('express-workos-login: login refused for user '));
    expect(line).toContain(`rule ${mfaRuleId} "MFA Required group" (priority 10) is enabled but broken (totpOrganizationName: is required for the mfa method)`);
    expect(line).toContain(`"ruleId":${mfaRuleId}`);
    // The load itself says the rule is invalid and what that means.
    expect(t.logs.some((l) => l.startsWith(`express-workos-login: login rule ${mfaRuleId} "MFA Required group" is invalid; logins that reach it (priority 10) are refused`))).toBe(true);
  });

  it('explain says which rule blocks the login and why', async () => {
    const e = await t.login.explain('mallory-mfa');
    expect(e.rule).toBeNull();
    expect(e.blockedBy).toEqual({
      id: mfaRuleId,
      name: 'MFA Required group',
      priority: 10,
      enabled: true,
      issues: [{ path: 'totpOrganizationName', message: 'is required for the mfa method' }],
    });
    expect(e.reason).toContain('it might be this login\'s rule, so the login is refused until the rule is fixed or disabled');
    expect(e.trace.map((v) => [v.name, v.matched])).toEqual([
      ['Staff use passwords', false],
      ['MFA Required group', false],
    ]);
  });

  it('users below it are refused too (it might have been their rule), known and unknown names alike', async () => {
    for (const username of ['plain', 'nobody-here']) {
      const agent = t.agent();
      const token = await csrf(agent);
      const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username });
      expect(step2.status, username).toBe(503);
      expect(step2.text).toContain(UNAVAILABLE);
      const res = await passwordLogin(agent, username, PASSWORD);
      expect(res.status, username).toBe(503);
    }
  });

  it('a user whose rule comes before it still logs in', async () => {
    const agent = t.agent();
    const res = await passwordLogin(agent, 'stan', PASSWORD);
    expect(res.status).toBe(303);
    expect(await whoAmI(agent)).toBe('stan');
  });

  it('a password reset sends nothing while the rule blocks the account, with the usual answer', async () => {
    const sent = t.events.of('sendPasswordReset').length;
    const agent = t.agent();
    const token = await csrf(agent, '/accounts/password_reset/');
    const res = await agent.post('/accounts/password_reset/').type('form').send({ _csrf: token, email: 'mallory-mfa@example.test' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/password_reset/done/');
    expect(t.events.of('sendPasswordReset')).toHaveLength(sent);
  });

  it('an SSO profile is not created just in time under a rule the broken one comes before', async () => {
    const agent = t.agent();
    const res = await idpInitiatedLogin(t, agent, 'conn_solo_saml', 'sam@solo.test');
    expect(res.status).toBe(503);
    expect(res.text).toContain(UNAVAILABLE);
    expect(await t.prisma.user.count({ where: { email: 'sam@solo.test' } })).toBe(0);
    expect(t.events.of('userCreated')).toEqual([]);
  });

  it('fixed, the MFA user gets the second factor again', async () => {
    await t.login.rules.update(mfaRuleId, { ...MFA_RULE });
    const res = await passwordLogin(t.agent(), 'mallory-mfa', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/enroll/');
  });
});
