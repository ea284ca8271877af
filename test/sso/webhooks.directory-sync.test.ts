// Directory Sync webhooks (`sso.webhookSecret`): the emulator delivers signed `dsync.*` events over real HTTP to the
// app's `POST /accounts/webhooks/workos/`, which verifies them with the SDK's webhooks.constructEvent. Deprovisioning
// ends live sessions; bad or old signatures and replays are refused with 400 and change nothing; a redelivery is
// idempotent; organizations no rule names are ignored and logged; pre-provisioning writes the saved attributes;
// mapped groups follow the directory.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryEventInput } from '../../src/emulator/index.ts';
import { ConfigError, workosLogin } from '../../src/index.ts';
import { createTestApp, createUser, testDirectory, type WorkosTestApp } from '../support/app.ts';
import { ssoLogin, whoAmI } from '../support/workos.ts';

const SECRET = 'whsec_test_app';
const DISABLED = 'Your account is disabled. Please contact your administrator.';

let t: WorkosTestApp;
let server: Server;
let ruleId: number;

beforeAll(async () => {
  const directory = testDirectory();
  directory.directories = [
    {
      id: 'directory_acme',
      organizationId: 'org_acme',
      name: 'Acme Okta SCIM',
      groups: [{ name: 'Engineering' }, { name: 'Admins' }],
      // The same people as the Acme SAML connection: the same IdP ids.
      users: [
        { idpId: 'acme-ada', email: 'ada@acme.test', firstName: 'Ada', lastName: 'Lovelace', groups: ['Engineering'] },
        { idpId: 'acme-bob', email: 'bob@acme.test', firstName: 'Bob', lastName: 'Builder' },
      ],
    },
    { id: 'directory_globex', organizationId: 'org_globex', name: 'Globex SCIM', users: [{ idpId: 'globex-gina', email: 'gina@globex.test', firstName: 'Gina' }] },
  ];
  t = await createTestApp({ emulator: { directory }, config: { sso: { webhookSecret: SECRET } } });
  await t.prisma.group.create({ data: { name: 'engineers' } });
  ruleId = (
    await t.login.rules.create({
      name: 'Acme SSO',
      method: 'sso',
      priority: 10,
      emailRegex: '@acme\\.test$',
      organizationId: 'org_acme',
      jitCreation: 'attributes',
      savedAttributes: { profile: { title: '{{ profile.raw_attributes.title }}' } },
      directoryProvisioning: { users: true, groups: { Engineering: 'engineers' } },
    })
  ).id;
  server = await new Promise<Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  t.emulator.directory.addWebhookEndpoint({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/accounts/webhooks/workos/`, secret: SECRET });
});
beforeEach(() => {
  t.events.all.length = 0;
  t.logs.length = 0;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

/** Sends one event and returns the app's answer (status and JSON body). */
async function send(input: DirectoryEventInput) {
  const { event, deliveries } = await t.emulator.directorySync.send(input);
  expect(deliveries).toHaveLength(1);
  const [delivery] = deliveries;
  return { event, delivery: delivery!, status: delivery!.status, body: JSON.parse(delivery!.response || 'null') as Record<string, unknown> };
}

const account = (email: string) => t.prisma.user.findFirstOrThrow({ where: { email }, include: { groups: true, profile: true, ssoIdentities: true } });
const ssoAs = (email: string) => ssoLogin(t, t.agent(), email, { email });

describe('deprovisioning', () => {
  it('a valid dsync.user.deleted deactivates the linked user, ends their live session and emits userDeprovisioned', async () => {
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'ada@acme.test', { email: 'ada@acme.test' })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('ada@acme.test');

    const { status, body, event } = await send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'ada@acme.test' });
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, outcome: 'deactivated' });
    const ada = await account('ada@acme.test');
    expect(ada.isActive).toBe(false);
    expect(ada.ssoIdentities[0]!.directoryUserId).toMatch(/^directory_user_/);
    // The session that was logged in is over at its next request.
    expect(await whoAmI(agent)).toBeNull();
    expect(t.events.of('userDeprovisioned')).toEqual([
      { user: expect.objectContaining({ id: ada.id, isActive: false }), reason: 'deleted', organizationId: 'org_acme', directoryUserId: ada.ssoIdentities[0]!.directoryUserId, eventId: event.id, rule: { id: ruleId, name: 'Acme SSO', method: 'sso' } },
    ]);
    // And SSO does not let them back in.
    const again = await ssoAs('ada@acme.test');
    expect(again.status).toBe(403);
    expect(again.text).toContain(DISABLED);
  });

  it('dsync.user.updated with state inactive (suspended) deactivates too; the same change again changes nothing', async () => {
    const agent = t.agent();
    await ssoLogin(t, agent, 'bob@acme.test', { email: 'bob@acme.test' });
    const { body } = await send({ event: 'dsync.user.updated', directoryId: 'directory_acme', user: 'bob@acme.test', changes: { state: 'inactive' } });
    expect(body).toEqual({ ok: true, outcome: 'deactivated' });
    expect(t.events.of('userDeprovisioned').map((e) => e.reason)).toEqual(['suspended']);
    expect(await whoAmI(agent)).toBeNull();
    const version = (await account('bob@acme.test')).sessionVersion;

    const second = await send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'bob@acme.test' });
    expect(second.body).toEqual({ ok: true, outcome: 'already_inactive' });
    expect(t.events.of('userDeprovisioned')).toHaveLength(1);
    expect((await account('bob@acme.test')).sessionVersion).toBe(version);
  });

  it('a directory user with no account here changes nothing (an inactive one is never provisioned)', async () => {
    const { body } = await send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-zed', email: 'zed@elsewhere.test', state: 'inactive' } });
    expect(body).toEqual({ ok: true, outcome: 'not_linked' });
    expect((await send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'zed@elsewhere.test' })).body).toEqual({ ok: true, outcome: 'not_linked' });
    expect(t.events.all).toEqual([]);
  });
});

describe('refused deliveries: 400 and no side effect', () => {
  let carol: number;
  beforeAll(async () => {
    // An account linked to a directory user, to see that refused events leave it alone.
    await t.emulator.directorySync.send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-carol', email: 'carol@acme.test', firstName: 'Carol' } });
    carol = (await account('carol@acme.test')).id;
  });
  const carolActive = async () => (await t.prisma.user.findUniqueOrThrow({ where: { id: carol } })).isActive;

  it('a bad signature', async () => {
    const res = await send({ event: 'dsync.user.updated', directoryId: 'directory_acme', user: 'carol@acme.test', changes: { state: 'inactive' }, signature: { secret: 'whsec_guessed' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'signature_invalid' });
    expect(await carolActive()).toBe(true);
    expect(t.logs.join('\n')).toContain('WorkOS webhook refused: Signature hash does not match');
    // Put the directory back as the app still sees it.
    await t.emulator.directorySync.send({ event: 'dsync.user.updated', directoryId: 'directory_acme', user: 'carol@acme.test', changes: { state: 'active' } });
  });

  it('an old timestamp (older than sso.webhookToleranceSeconds)', async () => {
    const res = await send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'carol@acme.test', signature: { timestamp: Date.now() - 4 * 60_000 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'signature_invalid' });
    expect(t.logs.join('\n')).toContain('Timestamp outside the tolerance zone');
    expect(await carolActive()).toBe(true);
    await t.emulator.directorySync.send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-carol', email: 'carol@acme.test', firstName: 'Carol' } });
  });

  it('a replay of a delivery already received (same body and signature)', async () => {
    const first = await send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'carol@acme.test', group: 'Engineering' });
    expect(first.body).toEqual({ ok: true, outcome: 'groups_changed' });
    expect((await account('carol@acme.test')).groups.map((g) => g.name)).toEqual(['engineers']);
    // An administrator takes Carol out of the group here; a replayed "added" must not put her back.
    await t.prisma.user.update({ where: { id: carol }, data: { groups: { set: [] } } });
    const replay = await t.emulator.webhooks.resend(first.delivery.id);
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.response)).toEqual({ error: 'replayed' });
    expect((await account('carol@acme.test')).groups).toEqual([]);
  });

  it('a payload that is not JSON, or has no signature header', async () => {
    const url = t.emulator.directory.webhookEndpoints()[0]!.url;
    const notJson = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'WorkOS-Signature': 't=1, v1=00' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'payload_invalid' });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"event_x","event":"dsync.user.deleted","data":{}}' });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ error: 'signature_invalid' });
    expect(await carolActive()).toBe(true);
  });
});

describe('idempotence and scope', () => {
  it('a redelivered event (same id, a new signature) is answered 200 and not run again', async () => {
    await createUser(t.prisma, { username: 'dana', email: 'dana@acme.test' });
    const sent = await send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-dina', email: 'dina@acme.test', firstName: 'Dina' } });
    expect(sent.body).toEqual({ ok: true, outcome: 'created' });
    const dina = await account('dina@acme.test');
    await t.prisma.user.update({ where: { id: dina.id }, data: { firstName: 'Changed here' } });
    // WorkOS retrying: the same event, signed again a moment later.
    const resigned = t.emulator.webhooks.sign(sent.delivery.body, { timestamp: Date.now() + 1 });
    const res = await fetch(sent.delivery.url, { method: 'POST', headers: { 'content-type': 'application/json', 'WorkOS-Signature': resigned }, body: sent.delivery.body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: 'duplicate' });
    expect((await account('dina@acme.test')).firstName).toBe('Changed here');
    expect(t.events.of('userCreated')).toHaveLength(1);
  });

  it('an organization no rule names is ignored and logged', async () => {
    // Gina has an account linked to Globex's identity, but no rule names Globex.
    const gina = await createUser(t.prisma, { username: 'gina', email: 'gina@globex.test' });
    await t.prisma.ssoIdentity.create({ data: { userId: gina.id, scope: 'org:org_globex', idpId: 'globex-gina', profileId: 'prof_gina', connectionId: 'conn_globex_saml', organizationId: 'org_globex' } });
    const { status, body } = await send({ event: 'dsync.user.deleted', directoryId: 'directory_globex', user: 'gina@globex.test' });
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, outcome: 'ignored_organization' });
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: gina.id } })).isActive).toBe(true);
    expect(t.logs.join('\n')).toContain('dsync.user.deleted for organization org_globex ignored: no enabled SSO rule names it');
    expect(t.events.all).toEqual([]);
  });

  it('identities of another organization are never matched', async () => {
    // The same IdP id under Globex: an Acme event for that id does not touch it.
    const other = await createUser(t.prisma, { username: 'eve-globex', email: 'eve@globex.test' });
    await t.prisma.ssoIdentity.create({ data: { userId: other.id, scope: 'org:org_globex', idpId: 'acme-eve', profileId: 'prof_eve', connectionId: 'conn_globex_saml', organizationId: 'org_globex' } });
    await send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-eve', email: 'eve@elsewhere.test', state: 'inactive' } });
    expect((await send({ event: 'dsync.user.deleted', directoryId: 'directory_acme', user: 'acme-eve' })).body).toEqual({ ok: true, outcome: 'not_linked' });
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: other.id } })).isActive).toBe(true);
  });
});

describe('pre-provisioning (directoryProvisioning.users)', () => {
  it('dsync.user.created creates the account with the saved attributes before any login, and SSO then logs into it', async () => {
    const { body } = await send({
      event: 'dsync.user.created',
      directoryId: 'directory_acme',
      user: { idpId: 'acme-finn', email: 'finn@acme.test', firstName: 'Finn', lastName: 'Fisher', rawAttributes: { title: 'Designer' } },
    });
    expect(body).toEqual({ ok: true, outcome: 'created' });
    const finn = await account('finn@acme.test');
    expect(finn).toMatchObject({ username: 'finn@acme.test', firstName: 'Finn', lastName: 'Fisher', passwordHash: null, isActive: true, lastLogin: null });
    expect(finn.profile?.title).toBe('Designer');
    expect(finn.ssoIdentities).toEqual([expect.objectContaining({ scope: 'org:org_acme', idpId: 'acme-finn', directoryUserId: expect.stringMatching(/^directory_user_/), lastLoginAt: null })]);
    expect(t.events.of('userCreated')).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: finn.id }), rule: { id: ruleId, name: 'Acme SSO', method: 'sso' }, source: 'directory', profile: expect.objectContaining({ connection_type: 'DirectorySync', idp_id: 'acme-finn' }) }),
    ]);

    // Their first SSO login finds the account through the identity: no second account.
    t.emulator.directory.addUser('conn_acme_saml', { idpId: 'acme-finn', email: 'finn@acme.test', firstName: 'Finn', lastName: 'Fisher', rawAttributes: { title: 'Designer' } });
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'finn@acme.test', { email: 'finn@acme.test' })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('finn@acme.test');
    expect(await t.prisma.user.count({ where: { email: 'finn@acme.test' } })).toBe(1);
    expect(t.events.of('userCreated')).toHaveLength(1);
  });

  it('dsync.user.updated updates names and templated attributes', async () => {
    const { body } = await send({ event: 'dsync.user.updated', directoryId: 'directory_acme', user: 'finn@acme.test', changes: { lastName: 'Fischer', rawAttributes: { title: 'Lead Designer' } } });
    expect(body).toEqual({ ok: true, outcome: 'updated' });
    const finn = await account('finn@acme.test');
    expect(finn.lastName).toBe('Fischer');
    expect(finn.profile?.title).toBe('Lead Designer');
  });

  it('an existing account that is not linked is never taken over by email', async () => {
    await createUser(t.prisma, { username: 'gus-local', email: 'gus@acme.test' });
    const { body } = await send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-gus', email: 'gus@acme.test' } });
    expect(body).toEqual({ ok: true, outcome: 'not_provisioned' });
    expect(await t.prisma.user.count({ where: { email: 'gus@acme.test' } })).toBe(1);
    expect((await account('gus@acme.test')).ssoIdentities).toEqual([]);
  });
});

describe('group sync (directoryProvisioning.groups)', () => {
  it('user_added / user_removed of a mapped group follow the directory; unmapped groups are ignored', async () => {
    await send({ event: 'dsync.user.created', directoryId: 'directory_acme', user: { idpId: 'acme-hal', email: 'hal@acme.test' } });
    const groups = async () => (await account('hal@acme.test')).groups.map((g) => g.name);
    expect((await send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'hal@acme.test', group: 'Engineering' })).body).toEqual({ ok: true, outcome: 'groups_changed' });
    expect(await groups()).toEqual(['engineers']);
    expect((await send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'hal@acme.test', group: 'Admins' })).body).toEqual({ ok: true, outcome: 'ignored_group' });
    expect(await groups()).toEqual(['engineers']);
    expect((await send({ event: 'dsync.group.user_removed', directoryId: 'directory_acme', user: 'hal@acme.test', group: 'Engineering' })).body).toEqual({ ok: true, outcome: 'groups_changed' });
    expect(await groups()).toEqual([]);
    // Removed twice: nothing to change.
    await send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'hal@acme.test', group: 'Engineering' });
    await send({ event: 'dsync.group.user_removed', directoryId: 'directory_acme', user: 'hal@acme.test', group: 'Engineering' });
    await t.emulator.directorySync.send({ event: 'dsync.group.user_added', directoryId: 'directory_acme', user: 'hal@acme.test', group: 'Admins' });
    expect(await groups()).toEqual([]);
  });
});

describe('configuration', () => {
  it('no webhookSecret, no route: a POST is refused by the CSRF check and changes nothing', async () => {
    const plain = await createTestApp({ db: t.db, emulator: true });
    try {
      const res = await plain.agent().post('/accounts/webhooks/workos/').set('WorkOS-Signature', 't=1, v1=00').send({ id: 'event_1', event: 'dsync.user.deleted', data: {} });
      expect(res.status).toBe(403);
    } finally {
      await plain.close();
    }
  });

  it('the webhook needs the WorkosWebhookEvent model and the WorkOS keys, named at start-up', () => {
    const withoutModel = Object.create(t.prisma, { workosWebhookEvent: { value: undefined } }) as typeof t.prisma;
    expect(() => workosLogin({ prisma: withoutModel, baseUrl: 'http://app.test', workos: { apiKey: 'sk_1', clientId: 'client_1' }, sso: { webhookSecret: SECRET } })).toThrow(
      'sso.webhookSecret: the webhook needs the WorkosWebhookEvent model from prisma/workos-login.prisma in your Prisma schema',
    );
    expect(() => workosLogin({ prisma: t.prisma, baseUrl: 'http://app.test', sso: { webhookSecret: SECRET } }, {})).toThrow(ConfigError);
  });

  it('directoryProvisioning is for SSO rules with an organization, and its local groups must exist', async () => {
    await expect(t.login.rules.validate({ name: 'x', method: 'password', priority: 900, emailRegex: 'x', directoryProvisioning: { users: true } })).rejects.toMatchObject({
      issues: expect.arrayContaining([{ path: 'directoryProvisioning', message: 'directory provisioning is only for SSO methods' }]),
    });
    await expect(t.login.rules.validate({ name: 'y', method: 'sso', priority: 901, emailRegex: 'y', connectionId: 'conn_acme_saml', directoryProvisioning: { users: true } })).rejects.toMatchObject({
      issues: expect.arrayContaining([{ path: 'directoryProvisioning', message: 'directory provisioning needs an organization id (Directory Sync events name the organization)' }]),
    });
    await expect(t.login.rules.validate({ name: 'z', method: 'sso', priority: 902, emailRegex: 'z', organizationId: 'org_acme', directoryProvisioning: { groups: { Admins: 'no-such-group' } } })).rejects.toMatchObject({
      issues: [{ path: 'directoryProvisioning.groups', message: 'unknown group(s): no-such-group' }],
    });
    await expect(t.login.rules.validate({ name: 'w', method: 'sso', priority: 903, emailRegex: 'w', organizationId: 'org_acme', directoryProvisioning: { users: 'yes' } as never })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'directoryProvisioning.users' })],
    });
  });
});
