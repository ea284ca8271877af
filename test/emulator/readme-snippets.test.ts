// The README's first emulator snippet, run as written from the repository root.
import { afterAll, expect, it } from 'vitest';
import { WorkOS } from '@workos-inc/node';
import { createWorkOSEmulator } from 'express-workos-login/emulator';

const emulator = await createWorkOSEmulator({ directory: 'examples/basic/emulator-directory.json' }); // port 0: a free port
const workos = new WorkOS(emulator.apiKey, emulator.sdkOptions); // { apiHostname, https: false, port }
// … with express-workos-login: workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions }
afterAll(() => emulator.close());

it('starts on a free port from a directory file and serves the SDK', async () => {
  const factor = await workos.mfa.enrollFactor({ type: 'totp', issuer: 'Acme', user: 'ada@acme.com' });
  expect(factor.totp?.secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(emulator.port).toBeGreaterThan(0);
  expect(emulator.directory.connection('conn_foo_corp_saml')?.organizationId).toBe('org_foo_corp');
});
