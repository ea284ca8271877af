// Shared set-up for magic-link tests: the test app with either provider (WorkOS = the emulator on port 0, whose
// clock follows the app's), users under `magic` and `email_mfa` rules, and helpers that click links as a browser.
import { expect } from 'vitest';
import { createWorkOSEmulator, type WorkOSEmulator } from '../../src/emulator/index.ts';
import type { WorkosLoginConfig } from '../../src/index.ts';
import { BASE_URL, createTestApp, createUser, csrf, csrfFrom, type Agent, type TestApp, type TestAppOptions } from '../support/app.ts';
export { isLoggedIn } from '../support/app.ts';

export const PASSWORD = 'correct horse battery';
export const MAGIC_CALLBACK = `${BASE_URL}/accounts/callback/magic/`;
export const LOCAL_LINK = /^http:\/\/app\.test\/accounts\/callback\/magic\/\?token=([A-Za-z0-9_-]{43})$/;
export const SENT_TEXT = 'If an account that logs in by email matches what you entered, we have sent a login link to its email address.';
export const INVALID_TEXT = 'This login link is invalid, has expired or has already been used. Please ask for a new one.';
export const OTHER_SESSION_TEXT = 'This login link does not belong to this browser session';
export const PASSWORD_FIRST_TEXT = 'This login link finishes a login that started with your password.';
export const NOT_ALLOWED_TEXT = 'This login method is not available for your account. Please start again.';

const ROOMY = { points: 100, durationSeconds: 900 };

export interface MagicApp extends TestApp {
  emulator: WorkOSEmulator | null;
  /** Log lines written through the configured logger (for "no link in logs" checks). */
  logs: string[];
  ids: { magic: number; second: number; pat: number; inactive: number };
  rules: { magic: number; emailMfa: number };
  done(): Promise<void>;
}

export interface MagicAppOptions {
  provider: 'workos' | 'local';
  config?: Partial<WorkosLoginConfig>;
  configure?: TestAppOptions['configure'];
  workosTimeoutMs?: number;
}

export async function createMagicApp(options: MagicAppOptions): Promise<MagicApp> {
  let app: TestApp | undefined;
  const emulator =
    options.provider === 'workos'
      ? await createWorkOSEmulator({ redirectUris: [MAGIC_CALLBACK], now: () => app?.clock.now ?? Date.now() })
      : null;
  const logs: string[] = [];
  const logger = {
    info: (m: string, meta?: object) => void logs.push(`${m} ${JSON.stringify(meta ?? {})}`),
    warn: (m: string, meta?: object) => void logs.push(`${m} ${JSON.stringify(meta ?? {})}`),
    error: (m: string, meta?: object) => void logs.push(`${m} ${JSON.stringify(meta ?? {})}`),
  };
  const workos = emulator ? { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions, timeoutMs: options.workosTimeoutMs ?? 10_000 } : undefined;
  app = await createTestApp({
    config: {
      logger,
      workos,
      ...options.config,
      // Roomy send limits: one file sends many links to one user (the throttle test sets its own).
      magicLink: { provider: options.provider, sendsPerEmail: ROOMY, sendsPerIp: ROOMY, ...options.config?.magicLink },
    },
    configure: options.configure,
  });
  const t = app;
  const magic = await createUser(t.prisma, { username: 'mia', email: 'Mia@Magic.test', password: null });
  const second = await createUser(t.prisma, { username: 'sam', email: 'sam@2fa.test', password: PASSWORD });
  const pat = await createUser(t.prisma, { username: 'pat', email: 'pat@example.test', password: PASSWORD });
  const inactive = await createUser(t.prisma, { username: 'ina', email: 'ina@magic.test', password: null, isActive: false });
  const magicRule = await t.login.rules.create({ name: 'Magic for magic.test', method: 'magic', priority: 10, emailRegex: '@magic\\.test$' });
  const emailMfaRule = await t.login.rules.create({ name: 'Email link after password', method: 'email_mfa', priority: 20, emailRegex: '@2fa\\.test$' });
  return Object.assign(t, {
    emulator,
    logs,
    ids: { magic: magic.id, second: second.id, pat: pat.id, inactive: inactive.id },
    rules: { magic: magicRule.id, emailMfa: emailMfaRule.id },
    async done() {
      await emulator?.close();
      await t.close();
    },
  });
}

/** Step 1 + 2 of the login page for a magic user: POST the username; the answer is the redirect to `complete/`. */
export async function askAtLogin(agent: Agent, username: string, next?: string) {
  const token = await csrf(agent, `/accounts/login/${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  return agent.post('/accounts/login/').type('form').send({ _csrf: token, username, next: next ?? '' });
}

/** The "email me a login link" form. */
export async function askByForm(agent: Agent, username: string, headers: Record<string, string> = {}) {
  const token = await csrf(agent, '/accounts/magic/');
  return agent.post('/accounts/magic/').set(headers).type('form').send({ _csrf: token, username });
}

/** Links handed to the app's `sendMagicLink` listener for a user, oldest first. */
export function linksFor(t: TestApp, userId: number): string[] {
  return t.events.of('sendMagicLink').filter((e) => e.user.id === userId).map((e) => e.link);
}

/**
 * Turns an emailed link into the path+query the browser lands on at our app. Local links point at us already;
 * WorkOS links point at the emulator, which answers once with a redirect to our callback.
 */
export async function landingPath(link: string): Promise<string> {
  const url = new URL(link);
  if (url.origin === BASE_URL) return url.pathname + url.search;
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.origin + location.pathname).toBe(MAGIC_CALLBACK);
  return location.pathname + location.search;
}

/** Opens the landing page (GET) and presses its one button (POST). */
export async function confirm(agent: Agent, path: string) {
  const page = await agent.get(path);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Log in as');
  const fields = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, decodeHtml(m[2]!)]));
  return agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
}

function decodeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

