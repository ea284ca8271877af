// Helpers for the MFA tests: the test app wired to a WorkOS emulator on one clock, an `mfa` rule for the
// "MFA Required" group, and the steps of the flow as a browser does them (real HTTP through supertest).
// TOTP codes come from the enrolled secret through otplib; SMS codes from the emulator's outbox.
import { authenticator } from 'otplib';
import { expect } from 'vitest';
import { createWorkOSEmulator, type WorkOSEmulator } from '../../src/emulator/index.ts';
import type { WorkosLoginConfig, WorkosLoginEvents } from '../../src/index.ts';
import { createTestApp, createUser, csrf, csrfFrom, passwordLogin, sessionIdSet, type Agent, type TestApp } from '../support/app.ts';
export { isLoggedIn, sessionIdSet } from '../support/app.ts';

export const PASSWORD = 'correct horse battery';
export const ISSUER = 'Acme MFA';

export interface MfaTestApp extends TestApp {
  emulator: WorkOSEmulator;
  /** Every mfaEnrolled / mfaReset event (the shared harness does not log the MFA events). */
  mfaEvents: { enrolled: WorkosLoginEvents['mfaEnrolled'][]; reset: WorkosLoginEvents['mfaReset'][] };
}

/** The test app with WorkOS pointed at a fresh emulator; `t.clock.advance` moves both clocks. */
export async function createMfaTestApp(config: Partial<WorkosLoginConfig> = {}): Promise<MfaTestApp> {
  let clock: { now: number } | undefined;
  const emulator = await createWorkOSEmulator({ now: () => clock?.now ?? Date.now() });
  const t = await createTestApp({
    config: { ...config, workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions, timeoutMs: 5000, ...config.workos } },
  });
  clock = t.clock;
  const mfaEvents: MfaTestApp['mfaEvents'] = { enrolled: [], reset: [] };
  t.login.on('mfaEnrolled', (e) => void mfaEvents.enrolled.push(e));
  t.login.on('mfaReset', (e) => void mfaEvents.reset.push(e));
  await t.login.rules.create({
    name: 'MFA Required group',
    method: 'mfa',
    priority: 10,
    totpOrganizationName: ISSUER,
    lookupAttributes: { groups: { some: { name: 'MFA Required' } } },
  });
  const close = t.close;
  return Object.assign(t, {
    emulator,
    mfaEvents,
    close: async () => {
      await emulator.close();
      await close();
    },
  });
}

/** A user whose rule is `mfa` (member of "MFA Required"). */
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

/** The TOTP code at the emulator's time (+ `steps` × 30 s). */
export function totpCode(t: MfaTestApp, secret: string, steps = 0): string {
  return authenticator.clone({ epoch: t.emulator.clock.now() + steps * 30_000 }).generate(secret);
}

/** POSTs a form to `path` with the CSRF token of the page at `pagePath` (default: the same path). */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>, pagePath = path) {
  const token = await csrf(agent, pagePath);
  return agent.post(path).type('form').send({ _csrf: token, ...fields });
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
export async function enrollTotpUser(t: MfaTestApp, username: string, next?: string) {
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
export function smsCode(t: MfaTestApp, phone: string): string {
  const message = t.emulator.outbox.latest(phone);
  expect(message?.kind).toBe('sms');
  return message!.code!;
}

/** Password + SMS enrollment + "continue" for `phone`. */
export async function enrollSmsUser(t: MfaTestApp, username: string, phone: string) {
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
