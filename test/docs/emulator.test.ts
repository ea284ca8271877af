// docs/emulator.md stays true: its snippets run as written (the first one is this file's set-up), the command prints
// exactly what the transcript shows, the directory example loads, the long example is emulator.example.test.ts, and
// every endpoint of the Magic Auth contract is served with the error codes the page names.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EMULATOR_USAGE, runEmulatorCommand } from '../../src/emulator/command.ts';
import type { DirectoryInput } from '../../src/emulator/index.ts';
import { blocksFor, docBlocks, docSection, docText, isSliceOf, ROOT } from './support.ts';
import { WorkOS } from '@workos-inc/node';
import { createWorkOSEmulator, DEMO_DIRECTORY } from 'express-workos-login/emulator';

const emulator = await createWorkOSEmulator({ directory: DEMO_DIRECTORY }); // port 0: a free port
const workos = new WorkOS(emulator.apiKey, emulator.sdkOptions); // { apiHostname, https: false, port }
// … with express-workos-login: workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions }
afterAll(() => emulator.close());

const doc = docText('docs/emulator.md');
const ts = docBlocks('docs/emulator.md').filter((b) => b.lang === 'ts');

describe('docs/emulator.md', () => {
  it('the first snippet is this file\'s set-up: a free port, a directory file, the SDK served', async () => {
    expect(isSliceOf(ts[0]!, 'test/docs/emulator.test.ts')).toBe(true);
    const factor = await workos.mfa.enrollFactor({ type: 'totp', issuer: 'Acme', user: 'ada@acme.com' });
    expect(factor.totp?.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.directory.connection('conn_foo_corp_saml')?.organizationId).toBe('org_foo_corp');
  });

  it('the command prints exactly what the transcript shows', async () => {
    const [block, ...others] = blocksFor('emulatorCli');
    expect(others).toEqual([]);
    const [command, ...expected] = block!.code.split('\n');
    const prefix = '$ npx express-workos-login emulator ';
    expect(command!.startsWith(prefix), command).toBe(true);
    const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
    expect(bin).toHaveProperty('express-workos-login');

    // Port 0 instead of the documented one, which may be taken here; the port it got is put back for the comparison.
    const args = command!.slice(prefix.length).split(' ');
    const documentedPort = args[args.indexOf('--port') + 1]!;
    args[args.indexOf('--port') + 1] = '0';
    const out: string[] = [];
    let stop!: () => void;
    const exited = runEmulatorCommand(args, { out: (line) => out.push(...line.split('\n')), err: (line) => out.push(line) }, new Promise<void>((resolve) => (stop = resolve)));
    await vi.waitFor(() => expect(out.length).toBeGreaterThanOrEqual(expected.length), { timeout: 10_000 });
    const port = /:(\d+)$/.exec(out[0]!)![1]!;
    stop();
    expect(await exited).toBe(0);
    expect(out.map((line) => line.replaceAll(port, documentedPort))).toEqual(expected);
  });

  it('names exactly the command\'s options', () => {
    const options = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]));
    const documented = options(prose());
    expect([...documented].sort()).toEqual([...options(EMULATOR_USAGE)].filter((o) => o !== '--help').sort());
  });

  it('the directory example loads and gives what it lists', async () => {
    const [block, ...others] = blocksFor('emulatorDirectory');
    expect(others).toEqual([]);
    const directory = JSON.parse(block!.code) as Required<Pick<DirectoryInput, 'clients' | 'organizations' | 'connections' | 'directories' | 'webhooks'>>;
    const loaded = await createWorkOSEmulator({ directory });
    try {
      expect(loaded.directory.clients()).toMatchObject(directory.clients);
      expect(loaded.directory.organizations()).toMatchObject(directory.organizations);
      expect(loaded.directory.connections()).toMatchObject(directory.connections);
      const [foo] = loaded.directory.directories();
      expect(foo).toMatchObject({ id: 'directory_foo_corp', organizationId: 'org_foo_corp', type: 'okta scim v2.0', groups: [{ name: 'Engineering' }, { name: 'Sales' }] });
      expect(foo!.users).toEqual([expect.objectContaining({ idpId: 'foo-alice', email: 'alice@foo-corp.com', state: 'active', groups: ['Engineering'], rawAttributes: { title: 'Staff Engineer' } })]);
      expect(loaded.directory.webhookEndpoints()).toEqual(directory.webhooks);
    } finally {
      await loaded.close();
    }
  });

  it('the outbox, faults and clock snippet runs as written', async () => {
    const fixedStart = Date.UTC(2030, 0, 1);
    const factor = await workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' });
    await workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
    expect(emulator.outbox.latest('+15005550006')?.code).toMatch(/^\d{6}$/);

    emulator.outbox.messages({ to: 'ada@acme.com' }); // [{ id, kind: 'sms' | 'email', to, body, link?, code?, sentAt }]
    emulator.outbox.latest('+15005550006')?.code;
    emulator.outbox.clear();

    // The next N matching calls fail (JSON body) or hang first. `path` is exact or a prefix ending in `*`.
    emulator.faults.inject({ method: 'POST', path: '/sso/token', status: 500 });
    emulator.faults.inject({ path: '/auth/*', times: 3, status: 503, body: { message: 'maintenance' } });
    emulator.faults.inject({ path: '/auth/*', hangMs: 5_000 }); // with new WorkOS(key, { ...sdkOptions, timeout: 1000 }): OauthException 408
    emulator.faults.inject({ path: '/sso/token', status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' });
    emulator.faults.clear();

    // Expire codes (10 min), SMS challenges (10 min), magic links and access tokens without sleeping.
    const emulator2 = await createWorkOSEmulator({ now: () => fixedStart }); // optional base clock
    emulator2.clock.advance(11 * 60_000);

    expect(emulator.outbox.messages()).toEqual([]);
    expect(emulator.faults.pending()).toEqual([]);
    expect(emulator2.clock.now()).toBe(fixedStart + 11 * 60_000);
    await emulator2.close();
    expect(isSliceOf(ts.at(-2)!, 'test/docs/emulator.test.ts')).toBe(true);
  });

  it('the traffic log, Directory Sync and webhooks snippet runs as written', async () => {
    // An endpoint for the demo directory's events (the docs' snippet delivers to every endpoint).
    const received: string[] = [];
    const server: Server = await new Promise((resolve) => {
      const s = createServer((req, res) => {
        req.on('data', (chunk: Buffer) => received.push(chunk.toString()));
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
      }).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      emulator.directory.addWebhookEndpoint({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, secret: 'whsec_docs' });
      await workos.userManagement.createMagicAuth({ email: 'ada@acme.com' });
      expect(emulator.requests.list({ method: 'POST', path: '/user_management/*' })).toEqual([expect.objectContaining({ path: '/user_management/magic_auth', status: 201 })]);

      emulator.requests.list({ method: 'POST', path: '/user_management/*' }); // [{ id, method, path, status, at, durationMs, client, body?, requestId }]
      emulator.requests.latest({ path: '/sso/token' })?.status;
      emulator.requests.clear();

      // Deprovision a directory user: the change, then the signed dsync.user.deleted to every webhook endpoint.
      const { event, deliveries } = await emulator.directorySync.send({ event: 'dsync.user.deleted', directoryId: 'directory_foo_corp', user: 'alice@foo-corp.com' });
      deliveries[0]?.status; // what your app answered
      await emulator.webhooks.resend(deliveries[0]!.id); // the very same request again: a replay
      emulator.webhooks.sign(JSON.stringify(event), { timestamp: Date.now() - 600_000 }); // a signature that is too old

      expect(emulator.requests.list()).toEqual([]);
      expect(deliveries[0]!.status).toBe(200);
      expect(received).toEqual([deliveries[0]!.body, deliveries[0]!.body]);
      expect(JSON.parse(received[0]!)).toMatchObject({ id: event.id, event: 'dsync.user.deleted', data: { object: 'directory_user', email: 'alice@foo-corp.com', organization_id: 'org_foo_corp' } });
      expect(emulator.webhooks.deliveries().map((d) => d.signature)).toEqual([deliveries[0]!.signature, deliveries[0]!.signature]);
      expect(isSliceOf(ts.at(-1)!, 'test/docs/emulator.test.ts')).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('serves every endpoint of the Magic Auth contract, with the documented error codes', async () => {
    const section = docSection('docs/emulator.md', 'Magic Auth and users');
    const endpoints = [...section.matchAll(/^\| `[^`]+` \| `(GET|POST) ([^`]+)` \|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(endpoints.length).toBe(6);
    for (const [method, path] of endpoints) {
      const res = await fetch(`${emulator.url}${path.replace(':id', 'unknown_id')}`, { method, headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      const body = (await res.json()) as { message?: string };
      expect(body.message ?? '', `${method} ${path}`).not.toContain('could not be found');
    }
    const codes = [...docSection('docs/emulator.md', 'Magic Auth and users').matchAll(/^ {2}\| `(\w+)` \|/gm)].map((m) => m[1]!).filter((c) => c !== 'code');
    expect(codes).toEqual(['invalid_one_time_code', 'one_time_code_previously_used', 'one_time_code_expired']);
    const source = readFileSync(join(ROOT, 'src/emulator/user-management.ts'), 'utf8');
    for (const code of [...codes, 'user_creation_error', 'email_not_available', 'invalid_client', 'unsupported_grant_type']) expect(source).toContain(`'${code}'`);
  });

  it('the long example is emulator.example.test.ts, minus its first comment line', () => {
    const marker = doc.indexOf('(`test/docs/emulator.example.test.ts`):');
    expect(marker).toBeGreaterThan(0);
    const block = ts.find((b) => doc.indexOf(b.code) > marker);
    const test = readFileSync(join(ROOT, 'test/docs/emulator.example.test.ts'), 'utf8');
    expect(block?.code).toBe(test.slice(test.indexOf('\n') + 1).trimEnd());
  });
});

/** The prose of the page, where the options are described. */
function prose(): string {
  return doc.replace(/```[\s\S]*?```/g, '');
}
