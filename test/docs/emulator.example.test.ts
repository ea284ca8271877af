// The example of docs/emulator.md ("Testing your own app's login flows"), run as written: the page shows this file from line 2.
import { randomUUID } from 'node:crypto';
import { OauthException, WorkOS } from '@workos-inc/node';
import express from 'express';
import { createWorkOSEmulator, type SignInChoice, type WorkOSEmulator } from 'express-workos-login/emulator';
import supertest from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';

// The app under test: SSO login with the WorkOS SDK, which it receives ready-made.
function createApp(workos: WorkOS, clientId: string) {
  const app = express();
  const pendingStates = new Set<string>();
  app.get('/login', (req, res) => {
    const state = randomUUID();
    pendingStates.add(state);
    const organization = String(req.query.org);
    res.redirect(workos.sso.getAuthorizationUrl({ organization, clientId, redirectUri: 'http://localhost:3000/callback', state }));
  });
  app.get('/callback', async (req, res) => {
    if (!pendingStates.delete(String(req.query.state))) return res.status(400).send('Unexpected login response');
    if (req.query.error) return res.status(401).send(`Login failed: ${String(req.query.error_description)}`);
    try {
      const { profile } = await workos.sso.getProfileAndToken({ code: String(req.query.code), clientId });
      res.send(`Hello ${profile.firstName} from ${profile.organizationId}`);
    } catch (error) {
      if (error instanceof OauthException && error.error === 'invalid_grant') return res.status(401).send('Login expired, please try again');
      res.status(502).send('WorkOS is unavailable, please try again later');
    }
  });
  return app;
}

let emulator: WorkOSEmulator;
let app: express.Express;

beforeAll(async () => {
  emulator = await createWorkOSEmulator({
    now: () => Date.UTC(2030, 0, 1),
    directory: {
      clients: [{ clientId: 'client_test', apiKey: 'sk_test_app', redirectUris: ['http://localhost:3000/callback'] }],
      organizations: [{ id: 'org_acme', name: 'Acme', domains: ['acme.com'] }],
      connections: [
        {
          id: 'conn_acme_okta',
          type: 'OktaSAML',
          name: 'Acme Okta',
          organizationId: 'org_acme',
          users: [{ email: 'ada@acme.com', firstName: 'Ada', lastName: 'Lovelace' }],
        },
      ],
    },
  });
  app = createApp(new WorkOS(emulator.apiKey, emulator.sdkOptions), emulator.clientId);
});
afterAll(() => emulator.close());

/** Starts a login at the app, makes `choice` on the emulator's sign-in page, and returns the app's answer. */
async function login(choice: SignInChoice, beforeCallback?: () => void) {
  const start = await supertest(app).get('/login?org=org_acme');
  const callback = new URL(await emulator.idp.signIn(start.headers.location!, choice));
  beforeCallback?.();
  return supertest(app).get(callback.pathname + callback.search);
}

it('signs in a user from the directory', async () => {
  const res = await login({ email: 'ada@acme.com' });
  expect(res.status).toBe(200);
  expect(res.text).toBe('Hello Ada from org_acme');
});

it('signs in a user added by the test', async () => {
  emulator.directory.addUser('conn_acme_okta', { email: 'grace@acme.com', firstName: 'Grace' });
  expect((await login({ email: 'grace@acme.com' })).text).toBe('Hello Grace from org_acme');
});

it('shows the failure when the identity provider refuses', async () => {
  const res = await login({ error: 'access_denied', errorDescription: 'Not assigned to this app' });
  expect(res.status).toBe(401);
  expect(res.text).toBe('Login failed: Not assigned to this app');
});

it('treats a callback that arrives after the code expired as an expired login', async () => {
  const res = await login({ email: 'ada@acme.com' }, () => emulator.clock.advance(11 * 60_000));
  expect(res.status).toBe(401);
  expect(res.text).toBe('Login expired, please try again');
});

it('survives a WorkOS outage', async () => {
  emulator.faults.inject({ method: 'POST', path: '/sso/token', status: 500 });
  const res = await login({ email: 'ada@acme.com' });
  expect(res.status).toBe(502);
  expect(res.text).toBe('WorkOS is unavailable, please try again later');
});
