// Loading and validating the directory: clear errors naming the bad key, defaults, CLI-style overrides
// and runtime additions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkOS } from '@workos-inc/node';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorConfigError, type WorkOSEmulator, createWorkOSEmulator } from '../../src/emulator/index.ts';
import { DEMO_DIRECTORY, SSO_CALLBACK, hop, paramsOf } from './support.ts';

const open: WorkOSEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});
async function start(options: Parameters<typeof createWorkOSEmulator>[0]) {
  const emulator = await createWorkOSEmulator(options);
  open.push(emulator);
  return emulator;
}

async function configError(options: Parameters<typeof createWorkOSEmulator>[0]): Promise<EmulatorConfigError> {
  try {
    open.push(await createWorkOSEmulator(options));
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return error as EmulatorConfigError;
  }
  throw new Error('expected a configuration error');
}

describe('directory validation', () => {
  it('names the bad key path and what was wrong', async () => {
    const error = await configError({
      directory: { connections: [{ id: 'conn_a', type: 'GenericSAML', name: 'A', users: [{ email: 'ok@a.co' }, { email: 'not-an-email' }] }] },
    });
    expect(error.code).toBe('ERR_WORKOS_EMULATOR_CONFIG');
    expect(error.issues).toEqual(['connections[0].users[1].email: Invalid email address']);
    expect(error.message).toContain('connections[0].users[1].email');
  });

  it('reports unknown keys, bad connection types, bad ids and dangling organization references', async () => {
    const typo = await configError({ directory: { conections: [] } as never });
    expect(typo.message).toMatch(/conections/);
    const type = await configError({ directory: { connections: [{ id: 'conn_a', type: 'FooSAML' as never, name: 'A' }] } });
    expect(type.issues[0]).toMatch(/^connections\[0\]\.type: /);
    const id = await configError({ directory: { organizations: [{ id: 'acme', name: 'Acme' }] } });
    expect(id.issues).toEqual(['organizations[0].id: must start with "org_"']);
    const dangling = await configError({ directory: { connections: [{ id: 'conn_a', type: 'OktaSAML', name: 'A', organizationId: 'org_missing' }] } });
    expect(dangling.message).toContain("connections[0].organizationId: unknown organization 'org_missing'");
    const redirect = await configError({ directory: { clients: [{ clientId: 'c', apiKey: 'k', redirectUris: ['not a url'] }] } });
    expect(redirect.issues[0]).toMatch(/^clients\[0\]\.redirectUris\[0\]: must be an http\(s\) URL/);
  });

  it('names the file when it is missing or not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-dir-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "clients": [');
    expect((await configError({ directory: broken })).message).toContain(`The directory file ${broken} is not valid JSON`);
    expect((await configError({ directory: join(dir, 'missing.json') })).message).toContain('Cannot read the directory file');
  });
});

describe('defaults, overrides and runtime additions', () => {
  it('without a directory there is one client client_emulator / sk_test_emulator accepting any localhost redirect', async () => {
    const emulator = await start({});
    expect([emulator.clientId, emulator.apiKey]).toEqual(['client_emulator', 'sk_test_emulator']);
    expect(emulator.sdkOptions).toEqual({ apiHostname: '127.0.0.1', https: false, port: emulator.port });
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    emulator.directory.addConnection({ id: 'conn_x', type: 'OktaSAML', name: 'X', users: [{ email: 'x@x.co' }] });
    const workos = new WorkOS(emulator.apiKey, emulator.sdkOptions);
    const url = workos.sso.getAuthorizationUrl({ connection: 'conn_x', clientId: emulator.clientId, redirectUri: 'http://localhost:5173/auth/cb' });
    expect(paramsOf(await emulator.idp.signIn(url, { email: 'x@x.co' })).code).toBeDefined();
    // Threat: `localhost:5173@evil.example` matches the wildcard as text but sends the code to evil.example.
    const evil = workos.sso.getAuthorizationUrl({ connection: 'conn_x', clientId: emulator.clientId, redirectUri: 'http://localhost:5173@evil.example/' });
    expect((await hop(evil)).status).toBe(400);
  });

  it('apiKey, clientId and redirectUris options replace the first client of a loaded directory', async () => {
    const emulator = await start({ directory: DEMO_DIRECTORY, apiKey: 'sk_test_cli', clientId: 'client_cli', redirectUris: ['http://127.0.0.1:9000/cb'] });
    expect(emulator.directory.clients()).toEqual([{ clientId: 'client_cli', apiKey: 'sk_test_cli', redirectUris: ['http://127.0.0.1:9000/cb'] }]);
    expect(emulator.directory.connection('conn_google')?.users.map((u) => u.email)).toEqual(['carol@gmail.com', 'dave@example.org']);
  });

  it('addUser makes a new user available on the next IdP page; bad input is refused with the key', async () => {
    const emulator = await start({ directory: DEMO_DIRECTORY });
    const user = emulator.directory.addUser('conn_foo_corp_saml', { email: 'frank@foo-corp.com', firstName: 'Frank', rawAttributes: { title: 'CFO' } });
    expect(user).toMatchObject({ email: 'frank@foo-corp.com', lastName: null, role: 'member', idpId: expect.stringMatching(/^idp_/) });
    const workos = new WorkOS(emulator.apiKey, emulator.sdkOptions);
    const url = workos.sso.getAuthorizationUrl({ organization: 'org_foo_corp', clientId: emulator.clientId, redirectUri: SSO_CALLBACK });
    const { code } = paramsOf(await emulator.idp.signIn(url, { email: 'frank@foo-corp.com' }));
    const { profile } = await workos.sso.getProfileAndToken({ code: code!, clientId: emulator.clientId });
    expect(profile).toMatchObject({ email: 'frank@foo-corp.com', firstName: 'Frank', rawAttributes: { title: 'CFO' } });
    expect(() => emulator.directory.addUser('conn_nope', { email: 'a@b.co' })).toThrow("addUser(): unknown connection 'conn_nope'");
    expect(() => emulator.directory.addUser('conn_google', { email: 'bad' })).toThrow(/addUser\(\)\.email: Invalid email address/);
    expect(() => emulator.directory.addUser('conn_foo_corp_saml', { email: 'x@foo-corp.com', idpId: 'foo-alice' })).toThrow(/duplicate idpId 'foo-alice'/);
  });
});
