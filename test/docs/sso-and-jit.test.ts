// docs/sso-and-jit.md stays true: every saved-attributes JSON example appears here verbatim and provisions a user
// through the emulator as described; the TypeScript blocks are slices of this file and run (the Directory Sync one
// with webhooks delivered by the emulator); the messages are the real ones (the settings table is checked by
// settings.test.ts).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, testDirectory, type WorkosTestApp } from '../support/app.ts';
import { ssoLogin, whoAmI } from '../support/workos.ts';
import { blocksFor, docBlocks, docText, isSliceOf } from './support.ts';

const doc = docText('docs/sso-and-jit.md');

const EXAMPLES = {
  profile: `{
  "isStaff": true,
  "profile": {
    "organizationName": "Acme Inc."
  }
}`,
  template: `{
  "isStaff": true,
  "profile": {
    "organizationName": "{{profile.raw_attributes.organization_name}}"
  }
}`,
  tildeLocation: `{
  "~location": {
    "locationId": "{{profile.raw_attributes.locationUuid}}"
  },
  "location": {
    "address": "{{profile.raw_attributes.locationAddress}}"
  }
}`,
  bangLocation: `{
  "!location": {
    "locationId": "{{profile.raw_attributes.locationUuid}}"
  },
  "profile": {
    "title": "{{profile.raw_attributes.title}}"
  }
}`,
  username: `{
  "username": "{{profile.first_name | lower}}.{{profile.last_name | lower}}",
  "isStaff": true,
  "profile": {
    "organizationName": "{{profile.raw_attributes.organization_name}}"
  }
}`,
  filters: `{
  "isStaff": "{{profile.raw_attributes.is_admin | default('no')}}",
  "profile": {
    "title": "{{profile.raw_attributes.title | trim | title}}",
    "employeeNumber": "{{profile.raw_attributes.employee_number}}",
    "isManager": "{{profile.raw_attributes.manager}}"
  },
  "emailAddresses": [
    { "address": "{{profile.email | lower}}", "kind": "work" },
    { "address": "{{profile.raw_attributes.personal_email}}", "kind": "personal" }
  ]
}`,
} as const;

let t: WorkosTestApp;
let priority = 100;
const mailer = {
  sent: [] as { to: string; subject: string; text: string }[],
  async send(message: { to: string; subject: string; text: string }) {
    this.sent.push(message);
  },
};

beforeAll(async () => {
  const directory = testDirectory();
  directory.organizations!.push({ id: 'org_foo_corp', name: 'Foo Corp', domains: ['foo-corp.com'] });
  directory.connections!.push({
    id: 'conn_foo_corp_saml',
    type: 'GenericSAML',
    name: 'Foo Corp SAML',
    organizationId: 'org_foo_corp',
    users: [{ idpId: 'foo-alice', email: 'alice@foo-corp.com', firstName: 'Alice', lastName: 'Anderson', rawAttributes: { title: 'Staff Engineer' } }],
  });
  t = await createTestApp({ emulator: { directory } });
  await t.prisma.group.create({ data: { name: 'Foo Corp' } });
  await t.prisma.location.create({ data: { locationId: 'loc-hq', address: '1 Main St' } });
});
afterAll(() => t.close());

/** A rule for `@<sub>.acme.test` with an example's saved attributes, then a first login of `email` with `raw`. */
async function provision(example: string, sub: string, email: string, raw: Record<string, unknown>, names = { firstName: 'Pat', lastName: 'Doe' }) {
  await t.login.rules.create({ name: `docs ${sub}`, method: 'sso', priority: priority++, emailRegex: `@${sub}\\.acme\\.test$`, organizationId: 'org_acme', jitCreation: 'attributes', savedAttributes: JSON.parse(example) as Record<string, unknown> });
  const res = await ssoLogin(t, t.agent(), email, { profile: { email, ...names, connectionId: 'conn_acme_saml', rawAttributes: raw } });
  const user = await t.prisma.user.findFirst({ where: { email }, include: { profile: true, location: true, emailAddresses: { orderBy: { id: 'asc' } } } });
  return { res, user };
}

describe('docs: saved attribute examples', () => {
  it('every JSON block of the docs is one of the examples below, verbatim, and each example is documented', () => {
    expect(blocksFor('savedAttributes').map((b) => b.code.trim()).sort()).toEqual(Object.values(EXAMPLES).map((e) => e.trim()).sort());
  });

  it('a 1-1 profile', async () => {
    const { res, user } = await provision(EXAMPLES.profile, 'ex1', 'a@ex1.acme.test', {});
    expect(res.status).toBe(303);
    expect(user).toMatchObject({ isStaff: true, profile: { organizationName: 'Acme Inc.' } });
  });

  it('a SAML attribute', async () => {
    const { user } = await provision(EXAMPLES.template, 'ex2', 'b@ex2.acme.test', { organization_name: "O'Brien & Co" });
    expect(user).toMatchObject({ isStaff: true, profile: { organizationName: "O'Brien & Co" } });
  });

  it('~location: linked when found, created from lookup and data when not', async () => {
    const found = await provision(EXAMPLES.tildeLocation, 'ex3', 'c@ex3.acme.test', { locationUuid: 'loc-hq', locationAddress: 'ignored for a found record' });
    expect(found.user?.location).toMatchObject({ locationId: 'loc-hq', address: '1 Main St' });
    const res = await ssoLogin(t, t.agent(), 'd@ex3.acme.test', { profile: { email: 'd@ex3.acme.test', connectionId: 'conn_acme_saml', rawAttributes: { locationUuid: 'loc-new', locationAddress: '9 New Rd' } } });
    expect(res.status).toBe(303);
    expect((await t.prisma.user.findFirst({ where: { email: 'd@ex3.acme.test' }, include: { location: true } }))?.location).toMatchObject({ locationId: 'loc-new', address: '9 New Rd' });
  });

  it('!location: only for people whose location exists', async () => {
    const ok = await provision(EXAMPLES.bangLocation, 'ex4', 'e@ex4.acme.test', { locationUuid: 'loc-hq', title: 'Engineer' });
    expect(ok.user).toMatchObject({ location: { locationId: 'loc-hq' }, profile: { title: 'Engineer' } });
    const res = await ssoLogin(t, t.agent(), 'f@ex4.acme.test', { profile: { email: 'f@ex4.acme.test', connectionId: 'conn_acme_saml', rawAttributes: { locationUuid: 'loc-mars' } } });
    expect(res.status).toBe(403);
    expect(res.text).toContain(LOGIN_MESSAGES.sso_not_provisioned);
    expect(await t.prisma.user.count({ where: { email: 'f@ex4.acme.test' } })).toBe(0);
  });

  it('a username template', async () => {
    const { user } = await provision(EXAMPLES.username, 'ex5', 'g@ex5.acme.test', { organization_name: 'Acme' }, { firstName: 'Grace', lastName: 'Hopper' });
    expect(user).toMatchObject({ username: 'grace.hopper', isStaff: true, profile: { organizationName: 'Acme' } });
  });

  it('filters, converted types and a list', async () => {
    const { user } = await provision(EXAMPLES.filters, 'ex6', 'H@Ex6.acme.test', { is_admin: 'yes', title: '  lead engineer ', employee_number: '0042', manager: 'true', personal_email: 'h@home.test' });
    expect(user).toMatchObject({ isStaff: true, profile: { title: 'Lead Engineer', employeeNumber: 42, isManager: true } });
    expect(user?.emailAddresses.map((e) => [e.address, e.kind])).toEqual([
      ['h@ex6.acme.test', 'work'],
      ['h@home.test', 'personal'],
    ]);
    // Without the optional attributes: isStaff defaults to "no", the personal row is skipped.
    const res = await ssoLogin(t, t.agent(), 'i@ex6.acme.test', { profile: { email: 'i@ex6.acme.test', connectionId: 'conn_acme_saml', rawAttributes: { title: 'x' } } });
    expect(res.status).toBe(303);
    const other = await t.prisma.user.findFirstOrThrow({ where: { email: 'i@ex6.acme.test' }, include: { emailAddresses: true, profile: true } });
    expect(other.isStaff).toBe(false);
    expect(other.profile?.employeeNumber).toBeNull();
    expect(other.emailAddresses.map((e) => e.kind)).toEqual(['work']);
  });
});

describe('docs: code blocks', () => {
  it('every TypeScript block is a slice of this file', () => {
    const blocks = docBlocks('docs/sso-and-jit.md').filter((b) => b.lang === 'ts');
    expect(blocks).toHaveLength(3);
    for (const block of blocks) expect(isSliceOf(block, 'test/docs/sso-and-jit.test.ts'), block.code.slice(0, 60)).toBe(true);
  });

  it('the rule and the userCreated listener work as shown', async () => {
    const login = t.login;
    await login.rules.create({
      name: 'Foo Corp SAML',
      method: 'sso',
      priority: 30,
      emailRegex: '@foo-corp\\.com$',
      organizationId: 'org_foo_corp',
      jitCreation: 'attributes',
      jitGroups: ['Foo Corp'],
      allowIdpInitiated: true,
      savedAttributes: { profile: { title: '{{profile.raw_attributes.title}}' } },
    });
    login.on('userCreated', async ({ user, profile, rule }) => {
      await mailer.send({
        to: 'admins@example.com',
        subject: 'New user created',
        text: `${user.firstName} ${user.lastName} (${profile.email}) just signed up through ${rule.name} (${profile.connection_type}).`,
      });
    });
    const agent = t.agent();
    expect((await ssoLogin(t, agent, 'alice@foo-corp.com', { email: 'alice@foo-corp.com' })).status).toBe(303);
    expect(await whoAmI(agent)).toBe('alice@foo-corp.com');
    const alice = await t.prisma.user.findFirstOrThrow({ where: { email: 'alice@foo-corp.com' }, include: { groups: true, profile: true } });
    expect(alice.groups.map((g) => g.name)).toEqual(['Foo Corp']);
    expect(alice.profile?.title).toBe('Staff Engineer');
    expect(mailer.sent).toEqual([{ to: 'admins@example.com', subject: 'New user created', text: 'Alice Anderson (alice@foo-corp.com) just signed up through Foo Corp SAML (GenericSAML).' }]);
  });

  it('the Directory Sync rule and listener work as shown: pre-provisioning, group sync, deprovisioning', async () => {
    const directory = testDirectory();
    directory.organizations!.push({ id: 'org_foo_corp', name: 'Foo Corp', domains: ['foo-corp.com'] });
    directory.directories = [{ id: 'directory_foo', organizationId: 'org_foo_corp', name: 'Foo Corp SCIM', groups: [{ name: 'Engineering' }] }];
    const secret = 'whsec_docs';
    const app = await createTestApp({ emulator: { directory }, config: { sso: { webhookSecret: secret } } });
    const server = await new Promise<Server>((resolve) => {
      const s = app.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      app.emulator.directory.addWebhookEndpoint({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/accounts/webhooks/workos/`, secret });
      await app.prisma.group.create({ data: { name: 'engineers' } });
      const login = app.login;
      const audit = { lines: [] as string[], async record(line: string) { this.lines.push(line); } };

      await login.rules.create({
        name: 'Foo Corp SAML',
        method: 'sso',
        priority: 30,
        emailRegex: '@foo-corp\\.com$',
        organizationId: 'org_foo_corp',
        jitCreation: 'attributes',
        savedAttributes: { profile: { title: '{{profile.raw_attributes.title}}' } },
        directoryProvisioning: { users: true, groups: { Engineering: 'engineers' } },
      });
      login.on('userDeprovisioned', async ({ user, reason, organizationId }) => {
        await audit.record(`${user.username} was deactivated: ${reason} in the directory of ${organizationId}`);
      });

      const send = app.emulator.directorySync.send;
      await send({ event: 'dsync.user.created', directoryId: 'directory_foo', user: { idpId: 'foo-ines', email: 'ines@foo-corp.com', firstName: 'Ines', rawAttributes: { title: 'Engineer' } } });
      await send({ event: 'dsync.group.user_added', directoryId: 'directory_foo', user: 'ines@foo-corp.com', group: 'Engineering' });
      const ines = await app.prisma.user.findFirstOrThrow({ where: { email: 'ines@foo-corp.com' }, include: { profile: true, groups: true } });
      expect(ines.profile?.title).toBe('Engineer');
      expect(ines.groups.map((g) => g.name)).toEqual(['engineers']);
      const { deliveries } = await send({ event: 'dsync.user.deleted', directoryId: 'directory_foo', user: 'ines@foo-corp.com' });
      expect(deliveries[0]).toMatchObject({ status: 200, response: '{"ok":true,"outcome":"deactivated"}' });
      expect(audit.lines).toEqual(['ines@foo-corp.com was deactivated: deleted in the directory of org_foo_corp']);
      expect(doc).toContain('`400 {"error":"signature_invalid"}`');
      expect(doc).toContain('`400 {"error":"replayed"}`');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    }
  });

  it('the messages table quotes the real messages', () => {
    const rows = [...doc.matchAll(/^\| [^|]+ \| ([^|]+?) \| `(\w+)` \|$/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const messages = Object.values(LOGIN_MESSAGES) as string[];
    for (const [, cell] of rows) {
      for (const quoted of cell!.split(' / ')) {
        const text = quoted.replace(/ …$/, '').replace(/^a message .*?: /, '').replace(/\), then .*$/, '').trim();
        expect(messages.some((m) => m.startsWith(text)), text).toBe(true);
      }
    }
  });
});
