// Shared set-up for magic-link tests: the config for either provider (WorkOS = `createTestApp({ emulator: true })`,
// the emulator whose clock follows the app's), users under `magic` and `email_mfa` rules, and helpers that click links
// as a browser.
import { expect } from 'vitest';
import type { WorkosLoginConfig } from '../../src/index.ts';
import { BASE_URL, MAGIC_CALLBACK, PASSWORD, createUser, csrf, csrfFrom, type Agent, type TestApp } from '../support/app.ts';

export const LOCAL_LINK = /^http:\/\/app\.test\/accounts\/callback\/magic\/\?token=([A-Za-z0-9_-]{43})$/;
export const SENT_TEXT = 'If an account that logs in by email matches what you entered, we have sent a login link to its email address.';
export const INVALID_TEXT = 'This login link is invalid, has expired or has already been used. Please ask for a new one.';
export const OTHER_SESSION_TEXT = 'This login link does not belong to this browser session';
export const PASSWORD_FIRST_TEXT = 'This login link finishes a login that started with your password.';
export const NOT_ALLOWED_TEXT = 'This login method is not available for your account. Please start again.';

const ROOMY = { points: 100, durationSeconds: 900 };

/**
 * Config for a magic-link test app: the provider (`workos` needs `emulator` in the app's options), and send limits
 * roomy enough for one file to send many links to one user (the throttle test sets its own in `config.magicLink`).
 */
export function magicConfig(provider: 'workos' | 'workos-magic-auth' | 'local', config: Partial<WorkosLoginConfig> = {}): Partial<WorkosLoginConfig> {
  return { ...config, magicLink: { provider, sendsPerEmail: ROOMY, sendsPerIp: ROOMY, ...config.magicLink } };
}

export interface MagicSeed {
  ids: { magic: number; second: number; pat: number; inactive: number };
  rules: { magic: number; emailMfa: number };
}

/**
 * The magic-link cast: mia (`magic` rule, no password), sam (`email_mfa`: PASSWORD then a link), pat (password
 * rule) and ina (inactive, magic domain).
 */
export async function seedMagicUsers(t: TestApp): Promise<MagicSeed> {
  const magic = await createUser(t.prisma, { username: 'mia', email: 'Mia@Magic.test', password: null });
  const second = await createUser(t.prisma, { username: 'sam', email: 'sam@2fa.test', password: PASSWORD });
  const pat = await createUser(t.prisma, { username: 'pat', email: 'pat@example.test', password: PASSWORD });
  const inactive = await createUser(t.prisma, { username: 'ina', email: 'ina@magic.test', password: null, isActive: false });
  const magicRule = await t.login.rules.create({ name: 'Magic for magic.test', method: 'magic', priority: 10, emailRegex: '@magic\\.test$' });
  const emailMfaRule = await t.login.rules.create({ name: 'Email link after password', method: 'email_mfa', priority: 20, emailRegex: '@2fa\\.test$' });
  return {
    ids: { magic: magic.id, second: second.id, pat: pat.id, inactive: inactive.id },
    rules: { magic: magicRule.id, emailMfa: emailMfaRule.id },
  };
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

