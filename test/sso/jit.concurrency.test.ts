// Two first logins of the same person at the same moment (double click, two tabs) create ONE user, one identity
// and one userCreated event; both browsers end up logged in as that user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin, startLogin, whoAmI } from '../support/workos.ts';

let t: WorkosTestApp;

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  await t.prisma.group.create({ data: { name: 'Acme' } });
  await t.login.rules.create({
    name: 'Acme JIT',
    method: 'sso',
    priority: 10,
    emailRegex: '@acme\\.test$',
    organizationId: 'org_acme',
    jitCreation: 'attributes',
    jitGroups: ['Acme'],
    allowIdpInitiated: true,
    savedAttributes: { profile: { title: '{{ profile.raw_attributes.title }}' }, '~location': { locationId: '{{ profile.raw_attributes.loc }}' }, location: { address: 'New office' } },
  });
});
afterAll(() => t.close());

const person = (email: string, loc: string) => ({ profile: { email, idpId: `idp-${email}`, connectionId: 'conn_acme_saml', rawAttributes: { title: 'Racer', loc } } });

describe('concurrent first logins', () => {
  // Threat: duplicate accounts (and duplicate userCreated side effects) from racing callbacks (item 37).
  it('two callbacks with two codes for the same person: one user, one identity, one userCreated', async () => {
    const [a, b] = [t.agent(), t.agent()];
    const paths = [
      await completeIdpLogin(t.emulator, await startLogin(a, 'rae@acme.test'), person('rae@acme.test', 'loc-race')),
      await completeIdpLogin(t.emulator, await startLogin(b, 'rae@acme.test'), person('rae@acme.test', 'loc-race')),
    ];
    const results = await Promise.all([a.get(paths[0]!), b.get(paths[1]!)]);
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    expect(await t.prisma.user.count({ where: { email: 'rae@acme.test' } })).toBe(1);
    expect(await t.prisma.ssoIdentity.count({ where: { idpId: 'idp-rae@acme.test' } })).toBe(1);
    expect(await t.prisma.profile.count({ where: { user: { email: 'rae@acme.test' } } })).toBe(1);
    expect(await t.prisma.location.count({ where: { locationId: 'loc-race' } })).toBe(1);
    expect(t.events.of('userCreated').filter((e) => e.user.email === 'rae@acme.test')).toHaveLength(1);
    expect([await whoAmI(a), await whoAmI(b)]).toEqual(['rae@acme.test', 'rae@acme.test']);
  });

  it('IdP-initiated double submit: one user', async () => {
    t.emulator.directory.addUser('conn_acme_saml', { idpId: 'idp-ivy', email: 'ivy@acme.test', rawAttributes: { loc: 'loc-ivy' } });
    const codes = await Promise.all([1, 2].map(() => t.emulator.idp.initiate({ connectionId: 'conn_acme_saml', email: 'ivy@acme.test' })));
    const [a, b] = [t.agent(), t.agent()];
    const results = await Promise.all([a.get(new URL(codes[0]!).pathname + new URL(codes[0]!).search), b.get(new URL(codes[1]!).pathname + new URL(codes[1]!).search)]);
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    expect(await t.prisma.user.count({ where: { email: 'ivy@acme.test' } })).toBe(1);
    expect(t.events.of('userCreated').filter((e) => e.user.email === 'ivy@acme.test')).toHaveLength(1);
  });

  it('two different people creating the same new linked record at once: both created, one shared record', async () => {
    const [a, b] = [t.agent(), t.agent()];
    const paths = [
      await completeIdpLogin(t.emulator, await startLogin(a, 'uma@acme.test'), person('uma@acme.test', 'loc-shared')),
      await completeIdpLogin(t.emulator, await startLogin(b, 'vic@acme.test'), person('vic@acme.test', 'loc-shared')),
    ];
    const results = await Promise.all([a.get(paths[0]!), b.get(paths[1]!)]);
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    expect(await t.prisma.location.count({ where: { locationId: 'loc-shared' } })).toBe(1);
    const users = await t.prisma.user.findMany({ where: { email: { in: ['uma@acme.test', 'vic@acme.test'] } }, include: { location: true } });
    expect(users.map((u) => u.location?.locationId)).toEqual(['loc-shared', 'loc-shared']);
  });
});
