import { describe, expect, it } from 'vitest';
import { nextStep, owesSecondStep, type MethodSteps } from '../../src/core/steps.ts';

// The method declarations as the built-in method folders make them (password/, mfa/, magic-link/, sso/).
const password: MethodSteps = { first: 'password', factorBinds: true };
const mfa: MethodSteps = { first: 'password', second: 'mfa', factorBinds: true };
const emailMfa: MethodSteps = { first: 'password', second: 'email_mfa', factorBinds: false };
const magic: MethodSteps = { first: 'own', factorBinds: true };
const sso: MethodSteps = { first: 'own', factorBinds: false };

const none = { hasMfa: false };
const enrolled = { hasMfa: true };

describe('nextStep', () => {
  it('after the username: the password form for password-first methods, unknown names and users without a rule', () => {
    for (const steps of [password, mfa, emailMfa, null]) expect(nextStep(steps, 'identified', none)).toEqual({ kind: 'password' });
  });

  it("after the username: the method's own step 2 for links and SSO", () => {
    expect(nextStep(magic, 'identified', enrolled)).toEqual({ kind: 'start' });
    expect(nextStep(sso, 'identified', none)).toEqual({ kind: 'start' });
  });

  it('after the first factor: the owed second step, then an enrolled factor where it binds, else done', () => {
    expect(nextStep(mfa, 'first', none)).toEqual({ kind: 'second', method: 'mfa' });
    expect(nextStep(emailMfa, 'first', enrolled)).toEqual({ kind: 'second', method: 'email_mfa' });
    expect(nextStep(password, 'first', none)).toEqual({ kind: 'done' });
    expect(nextStep(password, 'first', enrolled)).toEqual({ kind: 'second', method: 'mfa' });
    expect(nextStep(magic, 'first', enrolled)).toEqual({ kind: 'second', method: 'mfa' });
    expect(nextStep(magic, 'first', none)).toEqual({ kind: 'done' });
  });

  it('SSO never asks for an enrolled factor: the IdP owns MFA', () => {
    expect(nextStep(sso, 'first', enrolled)).toEqual({ kind: 'done' });
  });

  it('after the second step the login is done, and a login without a rule is never completed by a factor', () => {
    for (const steps of [password, mfa, emailMfa, magic, sso]) expect(nextStep(steps, 'second', enrolled)).toEqual({ kind: 'done' });
    expect(nextStep(null, 'first', enrolled)).toEqual({ kind: 'done' });
  });

  it('owesSecondStep tells a second-step page whether the rule still sends the login there', () => {
    expect(owesSecondStep(mfa, 'mfa', none)).toBe(true);
    expect(owesSecondStep(password, 'mfa', enrolled)).toBe(true);
    expect(owesSecondStep(password, 'mfa', none)).toBe(false);
    expect(owesSecondStep(emailMfa, 'mfa', enrolled)).toBe(false);
    expect(owesSecondStep(sso, 'mfa', enrolled)).toBe(false);
    expect(owesSecondStep(null, 'mfa', enrolled)).toBe(false);
  });
});
