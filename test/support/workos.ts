// The test app wired to a WorkOS emulator (one per test file, on port 0, on the app's clock) and helpers that walk
// WorkOS flows as a browser does: start a login, choose a user on the mock IdP page, land on our callback.
// Shared by the SSO, MFA and magic-link tests: keep it general.
import { expect } from 'vitest';
import { createWorkOSEmulator, type DirectoryInput, type SignInChoice, type WorkOSEmulator } from '../../src/emulator/index.ts';
import type { WorkosLoginConfig } from '../../src/index.ts';
import { BASE_URL, createTestApp, csrf, type Agent, type TestApp, type TestAppOptions } from './app.ts';

export const SSO_CALLBACK = `${BASE_URL}/accounts/callback/sso/`;
export const MAGIC_CALLBACK = `${BASE_URL}/accounts/callback/magic/`;
export const TEST_CLIENT_ID = 'client_test';
export const TEST_API_KEY = 'sk_test_app';

/**
 * A directory for tests: one client that allow-lists our SSO and magic-link callbacks (SSO first: it is the default
 * redirect URI, used by IdP-initiated logins), the organization Acme (SAML), a second organization (Globex), a SAML
 * connection without organization, and Google and Microsoft OAuth.
 */
export function testDirectory(): DirectoryInput {
  return {
    clients: [{ clientId: TEST_CLIENT_ID, apiKey: TEST_API_KEY, redirectUris: [SSO_CALLBACK, MAGIC_CALLBACK] }],
    organizations: [
      { id: 'org_acme', name: 'Acme', domains: ['acme.test'] },
      { id: 'org_globex', name: 'Globex', domains: ['globex.test'] },
    ],
    connections: [
      {
        id: 'conn_acme_saml',
        type: 'OktaSAML',
        name: 'Acme Okta',
        organizationId: 'org_acme',
        users: [
          { idpId: 'acme-ada', email: 'ada@acme.test', firstName: 'Ada', lastName: 'Lovelace', groups: ['Engineering'], rawAttributes: { title: 'Engineer' } },
          { idpId: 'acme-bob', email: 'bob@acme.test', firstName: 'Bob', lastName: 'Builder' },
        ],
      },
      {
        id: 'conn_globex_saml',
        type: 'GenericSAML',
        name: 'Globex SAML',
        organizationId: 'org_globex',
        users: [{ idpId: 'globex-gina', email: 'gina@globex.test', firstName: 'Gina', lastName: 'Globex' }],
      },
      {
        id: 'conn_solo_saml',
        type: 'GenericSAML',
        name: 'Solo SAML (no organization)',
        users: [{ idpId: 'solo-sam', email: 'sam@solo.test', firstName: 'Sam', lastName: 'Solo' }],
      },
      { id: 'conn_google', type: 'GoogleOAuth', name: 'Google', users: [{ idpId: 'google-gus', email: 'gus@gmail.test', firstName: 'Gus', lastName: 'Google' }] },
      { id: 'conn_microsoft', type: 'MicrosoftOAuth', name: 'Microsoft', users: [{ idpId: 'ms-mia', email: 'mia@outlook.test', firstName: 'Mia', lastName: 'Microsoft' }] },
    ],
  };
}

export interface WorkosTestAppOptions extends TestAppOptions {
  /** Replaces the test directory (its `clients` default to the test client when left out). */
  directory?: DirectoryInput;
  /** The SDK's timeout (ms); short so that hang faults fail fast. Default 1500. */
  timeoutMs?: number;
}

export interface WorkosTestApp extends TestApp {
  emulator: WorkOSEmulator;
  /** Every line written through the configured logger, with its metadata (for "no secrets in logs" checks). */
  logs: string[];
}

/** `createTestApp` plus a WorkOS emulator whose clock follows the app's (`t.clock.advance` moves both). */
export async function createWorkosTestApp(options: WorkosTestAppOptions = {}): Promise<WorkosTestApp> {
  let app: TestApp | undefined;
  const directory = options.directory ?? testDirectory();
  const emulator = await createWorkOSEmulator({
    directory: { ...directory, clients: directory.clients ?? testDirectory().clients },
    now: () => app?.clock.now ?? Date.now(),
  });
  const logs: string[] = [];
  const log = (m: string, meta?: object) => void logs.push(`${m} ${JSON.stringify(meta ?? {})}`);
  const config: Partial<WorkosLoginConfig> = {
    logger: { info: log, warn: log, error: log },
    ...options.config,
    workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions, timeoutMs: options.timeoutMs ?? 1500, ...options.config?.workos },
  };
  try {
    app = await createTestApp({ ...options, config });
  } catch (err) {
    await emulator.close();
    throw err;
  }
  const t = app;
  return Object.assign(t, {
    emulator,
    logs,
    async close() {
      await emulator.close();
      await t.db.close();
    },
  });
}

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
