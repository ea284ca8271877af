// Helpers that walk WorkOS flows against the emulator of a test app (`createTestApp({ emulator: true })`) as a
// browser does: start a login, choose a user on the mock IdP page, land on our callback.
// Shared by the SSO, MFA and magic-link tests: keep it general.
import { expect } from 'vitest';
import type { SignInChoice, WorkOSEmulator } from '../../src/emulator/index.ts';
import { BASE_URL, csrf, type Agent, type WorkosTestApp } from './app.ts';

/** The path and query of a URL on our app (what a browser requests after a redirect there). */
export function appPath(url: string): string {
  const u = new URL(url, BASE_URL);
  expect(u.origin).toBe(BASE_URL);
  return u.pathname + u.search;
}

/** Makes `choice` on the emulator's sign-in page for an authorization URL; returns our callback's path and query. */
export async function completeIdpLogin(emulator: WorkOSEmulator, authorizeUrl: string, choice: SignInChoice): Promise<string> {
  return appPath(await emulator.idp.signIn(authorizeUrl, choice));
}

/** Steps 1 and 2 of the login page for an SSO user: the answer is the redirect to WorkOS (its URL is returned). */
export async function startLogin(agent: Agent, username: string, next?: string): Promise<string> {
  const token = await csrf(agent, `/accounts/login/${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username, next: next ?? '' });
  expect(res.status).toBe(303);
  return res.headers.location!;
}

/** A whole SP-initiated login: start, choose at the IdP, come back. Returns the callback's response. */
export async function ssoLogin(t: WorkosTestApp, agent: Agent, username: string, choice: SignInChoice, next?: string) {
  const authorize = await startLogin(agent, username, next);
  return agent.get(await completeIdpLogin(t.emulator, authorize, choice));
}

/** IdP-initiated: the IdP sends `email` of `connectionId` to our callback (no state). Returns the callback's response. */
export async function idpInitiatedLogin(t: WorkosTestApp, agent: Agent, connectionId: string, email: string) {
  return agent.get(appPath(await t.emulator.idp.initiate({ connectionId, email })));
}

/** Who the agent is logged in as (the username), or null. */
export async function whoAmI(agent: Agent): Promise<string | null> {
  const res = await agent.get('/private');
  if (res.status === 200) return res.text.replace(/^private for /, '');
  expect(res.status).toBe(303);
  return null;
}

/** The session cookie's value (to see it rotate at login). */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | null {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  const sid = cookies.find((c) => c.startsWith('connect.sid='));
  return sid ? sid.split(';')[0]!.slice('connect.sid='.length) : null;
}
