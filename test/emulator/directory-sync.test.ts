// Directory Sync in the emulator: directories with users and groups from the directory file, and each change sent as
// a `dsync.*` webhook that the real SDK's `webhooks.constructEvent` accepts, delivered to a real HTTP endpoint.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkOS } from '@workos-inc/node';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkOSEmulator, EmulatorConfigError, type DirectoryInput, type WorkOSEmulator } from '../../src/emulator/index.ts';
import { T0 } from './support.ts';

const SECRET = 'whsec_test_directory';

/** A webhook endpoint that verifies each delivery with the SDK and keeps what it received. */
interface Receiver {
  url: string;
  received: { header: string; body: unknown; event: unknown; error?: string }[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const sdk = new WorkOS('sk_unused', { clientId: 'client_unused' });
  const received: Receiver['received'] = [];
  const app = express();
  app.post('/hooks', express.json(), async (req, res) => {
    const header = String(req.get('workos-signature'));
    try {
      const event = await sdk.webhooks.constructEvent({ payload: req.body as Record<string, unknown>, sigHeader: header, secret: SECRET });
      received.push({ header, body: req.body, event });
      res.json({ ok: true });
    } catch (error) {
      received.push({ header, body: req.body, event: null, error: (error as Error).message });
      res.status(400).json({ error: (error as Error).message });
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function directory(url: string): DirectoryInput {
  return {
    organizations: [{ id: 'org_acme', name: 'Acme', domains: ['acme.test'] }],
    directories: [
      {
        id: 'directory_acme',
        organizationId: 'org_acme',
        name: 'Acme Okta SCIM',
        type: 'okta scim v2.0',
        groups: [{ name: 'Engineering' }, { name: 'Admins', idpId: 'okta-admins' }],
        users: [{ idpId: 'okta-ada', email: 'ada@acme.test', firstName: 'Ada', lastName: 'Lovelace', groups: ['Engineering'], rawAttributes: { title: 'Engineer' } }],
      },
    ],
    webhooks: [{ url, secret: SECRET }],
  };
}

let receiver: Receiver;
let emulator: WorkOSEmulator;
beforeAll(async () => {
  receiver = await startReceiver();
  // Real time: the SDK checks signature timestamps against Date.now().
  emulator = await createWorkOSEmulator({ directory: directory(receiver.url) });
});
beforeEach(() => {
  receiver.received.length = 0;
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

describe('directories', () => {
  it('come from the directory file with stable ids, users and groups', () => {
    const [acme] = emulator.directory.directories();
    expect(acme).toMatchObject({ id: 'directory_acme', organizationId: 'org_acme', type: 'okta scim v2.0' });
    expect(acme!.groups.map((g) => [g.name, g.idpId])).toEqual([
      ['Engineering', expect.any(String)],
      ['Admins', 'okta-admins'],
    ]);
    expect(acme!.users[0]).toMatchObject({ id: expect.stringMatching(/^directory_user_01/), idpId: 'okta-ada', state: 'active', groups: ['Engineering'] });
    expect(emulator.webhooks.deliveries()).toEqual([]);
  });

  it('a directory file with mistakes fails naming the key', async () => {
    const bad = (d: DirectoryInput) => createWorkOSEmulator({ directory: d });
    await expect(bad({ directories: [{ id: 'directory_x', organizationId: 'org_missing', name: 'X' }] })).rejects.toThrow(/directories\[0\]\.organizationId: unknown organization 'org_missing'/);
    const withGroup = { ...directory(receiver.url) };
    withGroup.directories = [{ ...withGroup.directories![0]!, users: [{ email: 'x@acme.test', groups: ['Nope'] }] }];
    await expect(bad(withGroup)).rejects.toThrow(/directories\[0\]\.users\[0\]\.groups: unknown group\(s\) 'Nope'/);
    await expect(bad({ webhooks: [{ url: 'ftp://x', secret: 's' }] })).rejects.toBeInstanceOf(EmulatorConfigError);
  });
});

describe('directorySync.send', () => {
  it('dsync.user.created adds the user and delivers a signed Directory User the SDK accepts', async () => {
    const { event, deliveries } = await emulator.directorySync.send({
      event: 'dsync.user.created',
      directoryId: 'directory_acme',
      user: { idpId: 'okta-bob', email: 'bob@acme.test', firstName: 'Bob', groups: ['Admins'], customAttributes: { department: 'Ops' } },
    });
    expect(event).toMatchObject({ id: expect.stringMatching(/^event_/), event: 'dsync.user.created' });
    expect(deliveries).toEqual([expect.objectContaining({ url: receiver.url, status: 200, eventId: event.id, signature: expect.stringMatching(/^t=\d+, v1=[0-9a-f]{64}$/) })]);
    const [got] = receiver.received;
    expect(got!.error).toBeUndefined();
    expect(got!.event).toMatchObject({
      id: event.id,
      event: 'dsync.user.created',
      data: { object: 'directory_user', directoryId: 'directory_acme', organizationId: 'org_acme', idpId: 'okta-bob', email: 'bob@acme.test', firstName: 'Bob', lastName: null, state: 'active', customAttributes: { department: 'Ops' } },
    });
    expect(emulator.directory.syncDirectory('directory_acme')!.users.map((u) => u.email)).toEqual(['ada@acme.test', 'bob@acme.test']);
  });

  it('dsync.user.updated carries previous_attributes; dsync.user.deleted removes the user', async () => {
    await emulator.directorySync.send({ event: 'dsync.user.updated', directoryId: 'directory_acme', user: 'bob@acme.test', changes: { state: 'inactive', lastName: 'Builder' } });
    const updated = receiver.received[0]!.body as { data: Record<string, unknown> };
    expect(updated.data).toMatchObject({ state: 'inactive', last_name: 'Builder', previous_attributes: { state: 'active', last_name: null } });
    await emulator.directorySync.send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'okta-bob' });
    expect(receiver.received[1]!.event).toMatchObject({ event: 'dsync.user.deleted', data: { idpId: 'okta-bob', state: 'inactive' } });
    expect(emulator.directory.syncDirectory('directory_acme')!.users.map((u) => u.email)).toEqual(['ada@acme.test']);
  });

  it('dsync.group.user_added / user_removed send the user and the group', async () => {
    await emulator.directorySync.send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'ada@acme.test', group: 'Admins' });
    expect(receiver.received[0]!.event).toMatchObject({
      event: 'dsync.group.user_added',
      data: { directoryId: 'directory_acme', user: { email: 'ada@acme.test' }, group: { name: 'Admins', idpId: 'okta-admins', organizationId: 'org_acme' } },
    });
    expect(emulator.directory.syncDirectory('directory_acme')!.users[0]!.groups).toEqual(['Engineering', 'Admins']);
    await emulator.directorySync.send({ event: 'dsync.group.user_removed', directoryId: 'directory_acme', user: 'ada@acme.test', group: 'Engineering' });
    expect(receiver.received[1]!.event).toMatchObject({ event: 'dsync.group.user_removed', data: { group: { name: 'Engineering' } } });
    expect(emulator.directory.syncDirectory('directory_acme')!.users[0]!.groups).toEqual(['Admins']);
  });

  it('signs with another time or secret on request, and resends a delivery unchanged (a replay)', async () => {
    const old = await emulator.directorySync.send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'ada@acme.test', group: 'Engineering', signature: { timestamp: Date.now() - 10 * 60_000 } });
    expect(old.deliveries[0]!.status).toBe(400);
    expect(receiver.received[0]!.error).toBe('Timestamp outside the tolerance zone');
    const forged = await emulator.directorySync.send({ event: 'dsync.group.user_removed', directoryId: 'directory_acme', user: 'ada@acme.test', group: 'Engineering', signature: { secret: 'wrong' } });
    expect(forged.deliveries[0]!.status).toBe(400);
    expect(receiver.received[1]!.error).toBe('Signature hash does not match the expected signature hash for payload');

    const good = await emulator.directorySync.send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'ada@acme.test', group: 'Engineering' });
    const again = await emulator.webhooks.resend(good.deliveries[0]!.id);
    expect(again).toMatchObject({ body: good.deliveries[0]!.body, signature: good.deliveries[0]!.signature, status: 200 });
    expect(receiver.received[3]!.header).toBe(receiver.received[2]!.header);
    expect(emulator.webhooks.sign(good.deliveries[0]!.body, { timestamp: Number(/t=(\d+)/.exec(good.deliveries[0]!.signature)![1]) })).toBe(good.deliveries[0]!.signature);
  });

  it('refuses unknown directories, users and groups without sending anything', async () => {
    await expect(emulator.directorySync.send({ event: 'dsync.user.deleted', directoryId: 'directory_nope', user: 'x' })).rejects.toThrow(/unknown directory 'directory_nope'/);
    await expect(emulator.directorySync.send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'ghost@acme.test' })).rejects.toThrow(/has no user 'ghost@acme.test'/);
    await expect(emulator.directorySync.send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'ada@acme.test', group: 'Nope' })).rejects.toThrow(/has no group 'Nope'/);
    expect(receiver.received).toEqual([]);
  });

  it('records an unreachable endpoint instead of failing', async () => {
    const lonely = await createWorkOSEmulator({ directory: { ...directory('http://127.0.0.1:9/hooks') } });
    try {
      const { deliveries } = await lonely.directorySync.send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'ada@acme.test' });
      expect(deliveries[0]).toMatchObject({ status: null, error: expect.any(String) });
    } finally {
      await lonely.close();
    }
  });
});

describe('over HTTP', () => {
  it('POST /_emulator/directory/events (JSON) answers 201 with the event and its deliveries; bad input is a 400', async () => {
    const res = await fetch(`${emulator.url}/_emulator/directory/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { email: 'cy@acme.test' } }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { event: { event: string }; deliveries: { status: number }[] };
    expect(body.event.event).toBe('dsync.user.created');
    expect(body.deliveries.map((d) => d.status)).toEqual([200]);

    const bad = await fetch(`${emulator.url}/_emulator/directory/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'dsync.user.exploded', directoryId: 'directory_acme' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('invalid_request_parameters');
  });

  it('the directory page lists users with one button per event, and its forms send them', async () => {
    const page = await (await fetch(`${emulator.url}/_emulator/directory`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('data-user="cy@acme.test"');
    expect(page).toContain('Deprovision (delete)');
    const form = new URLSearchParams({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'cy@acme.test' });
    const sent = await fetch(`${emulator.url}/_emulator/directory/events`, { method: 'POST', body: form });
    expect(sent.status).toBe(200);
    const html = await sent.text();
    expect(html).toContain('Sent <code>dsync.user.deleted</code>');
    expect(html).not.toContain('data-user="cy@acme.test"');
    expect(receiver.received.at(-1)!.event).toMatchObject({ event: 'dsync.user.deleted', data: { email: 'cy@acme.test' } });

    const json = (await (await fetch(`${emulator.url}/_emulator/directory`)).json()) as { data: { id: string; users: { email: string; object: string }[] }[] };
    expect(json.data[0]!.users.map((u) => u.object)).toEqual(json.data[0]!.users.map(() => 'directory_user'));
    const deliveries = (await (await fetch(`${emulator.url}/_emulator/webhooks`)).json()) as { data: unknown[] };
    expect(deliveries.data.length).toBe(emulator.webhooks.deliveries().length);
  });

  it('uses the emulator clock for event times and signatures', async () => {
    const fixed = await createWorkOSEmulator({ now: () => T0, directory: directory(receiver.url) });
    try {
      const { event, deliveries } = await fixed.directorySync.send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'ada@acme.test' });
      expect(event.created_at).toBe(new Date(T0).toISOString());
      expect(deliveries[0]!.signature.startsWith(`t=${T0}, `)).toBe(true);
    } finally {
      await fixed.close();
    }
  });
});
