// Helpers for MFA tests: the `mfa` rule for the "MFA Required" group (pass `rules: [MFA_RULE]` to `createTestApp`,
// with `emulator: true`), its users, and the steps of the flow as a browser does them (real HTTP through supertest).
// TOTP codes come from the enrolled secret through otplib; SMS codes from the emulator's outbox.
import { authenticator } from 'otplib';
import { expect } from 'vitest';
import type { LoginRuleInput } from '../../src/index.ts';
import { PASSWORD, createUser, csrfFrom, passwordLogin, postForm, sessionIdSet, type Agent, type TestApp, type WorkosTestApp } from './app.ts';

export const ISSUER = 'Acme MFA';

/** Password, then a second factor, for members of the "MFA Required" group. */
export const MFA_RULE: LoginRuleInput = {
  name: 'MFA Required group',
  method: 'mfa',
  priority: 10,
  totpOrganizationName: ISSUER,
  lookupAttributes: { groups: { some: { name: 'MFA Required' } } },
};

/** A user whose rule is `mfa` (member of "MFA Required"), with PASSWORD. */
export function mfaUser(t: TestApp, username: string, extra: { email?: string; firstName?: string } = {}) {
  return createUser(t.prisma, { username, password: PASSWORD, groups: ['MFA Required'], ...extra });
}

/** Password step: expects the redirect into the MFA flow and returns its path. */
export async function passwordStep(agent: Agent, username: string, next?: string): Promise<string> {
  return (await halfLogin(agent, username, next)).location;
}

/** Password step: the MFA page it redirects to and the (new) session id of the half-login. */
export async function halfLogin(agent: Agent, username: string, next?: string): Promise<{ location: string; sid: string }> {
  const res = await passwordLogin(agent, username, PASSWORD, next);
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/^\/accounts\/(enroll|verify)\/$/);
  const sid = sessionIdSet(res);
  expect(sid).toBeTruthy();
  return { location: res.headers.location as string, sid: sid! };
}

export interface MfaLoginOptions {
  /** `next` of the password step. */
  next?: string;
  /** The new user's fields besides its username. */
  user?: { email?: string; firstName?: string };
  /** A factor enrolled first, in another browser: TOTP (with that enrollment's own `next`), or SMS to `phone`. */
  enrolled?: { factor: 'totp'; next?: string } | { factor: 'sms'; phone: string };
}

export interface MfaLogin {
  user: Awaited<ReturnType<typeof mfaUser>>;
  /** The browser that passed the password step, now at the second factor. */
  agent: Agent;
  /** Where the password step sent it: enroll/ or verify/. */
  location: string;
  /** The half-login's session id. */
  sid: string;
}

/**
 * The MFA preamble: a new user under MFA_RULE (with a factor enrolled first when asked) and a new browser that
 * passed the password step and stands at the second factor.
 */
export async function startMfaLogin(
  t: WorkosTestApp,
  username: string,
  options: MfaLoginOptions & { enrolled: { factor: 'totp'; next?: string } },
): Promise<MfaLogin & { secret: string; recoveryCodes: string[] }>;
export async function startMfaLogin(t: WorkosTestApp, username: string, options?: MfaLoginOptions): Promise<MfaLogin>;
export async function startMfaLogin(t: WorkosTestApp, username: string, options: MfaLoginOptions = {}): Promise<MfaLogin & Partial<{ secret: string; recoveryCodes: string[] }>> {
  const user = await mfaUser(t, username, options.user);
  const enrolled = options.enrolled;
  let totp: { secret: string; recoveryCodes: string[] } | undefined;
  if (enrolled?.factor === 'totp') {
    const { secret, recoveryCodes } = await enrollTotpUser(t, username, enrolled.next);
    totp = { secret, recoveryCodes };
  } else if (enrolled?.factor === 'sms') {
    await enrollSmsUser(t, username, enrolled.phone);
  }
  const agent = t.agent();
  const { location, sid } = await halfLogin(agent, username, options.next);
  return { user, agent, location, sid, ...totp };
}

/** The TOTP code at the emulator's time (+ `steps` × 30 s). */
export function totpCode(t: WorkosTestApp, secret: string, steps = 0): string {
  return authenticator.clone({ epoch: t.emulator.clock.now() + steps * 30_000 }).generate(secret);
}

/** Starts TOTP enrollment from a half-login; returns the secret shown for manual entry and the page. */
export async function startTotpEnrollment(agent: Agent): Promise<{ secret: string; html: string; factorId?: string }> {
  const started = await postForm(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/enroll/');
  expect(started.status).toBe(303);
  expect(started.headers.location).toBe('/accounts/enroll-totp/');
  const page = await agent.get('/accounts/enroll-totp/');
  expect(page.status).toBe(200);
  const secret = /<code class="ewl-secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1]?.replace(/ /g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  return { secret: secret!, html: page.text };
}

/** Recovery codes shown on the page. */
export function recoveryCodesIn(html: string): string[] {
  return [...html.matchAll(/<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})<\/code><\/li>/g)].map((m) => m[1]!);
}

/** Password + TOTP enrollment + "continue": a logged-in agent, the secret and the recovery codes. */
export async function enrollTotpUser(t: WorkosTestApp, username: string, next?: string) {
  const agent = t.agent();
  expect(await passwordStep(agent, username, next)).toBe('/accounts/enroll/');
  const { secret } = await startTotpEnrollment(agent);
  const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) });
  expect(shown.status).toBe(200);
  const recoveryCodes = recoveryCodesIn(shown.text);
  expect(recoveryCodes).toHaveLength(10);
  const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
  expect(done.status).toBe(303);
  // Later logins must not reuse the enrollment code: move to the next 30 s step.
  t.clock.advance(30_000);
  return { agent, secret, recoveryCodes, done };
}

/** The SMS code last texted to `phone` (from the emulator's outbox). */
export function smsCode(t: WorkosTestApp, phone: string): string {
  const message = t.emulator.outbox.latest(phone);
  expect(message?.kind).toBe('sms');
  return message!.code!;
}

/** Password + SMS enrollment + "continue" for `phone`. */
export async function enrollSmsUser(t: WorkosTestApp, username: string, phone: string) {
  const agent = t.agent();
  expect(await passwordStep(agent, username)).toBe('/accounts/enroll/');
  const sent = await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: phone });
  expect(sent.status).toBe(303);
  const shown = await postForm(agent, '/accounts/enroll-sms/', { action: 'verify', code: smsCode(t, phone) });
  expect(shown.status).toBe(200);
  const recoveryCodes = recoveryCodesIn(shown.text);
  expect(recoveryCodes).toHaveLength(10);
  const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
  expect(done.status).toBe(303);
  return { agent, recoveryCodes };
}

/** The MFA half-login stored in a session (read from the server-side store). */
export function pendingOf(t: TestApp, sid: string): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve, reject) =>
    t.store.get(sid, (err, s) => (err ? reject(err) : resolve((s as { workosLogin?: { mfa?: Record<string, unknown> } } | null)?.workosLogin?.mfa))),
  );
}
