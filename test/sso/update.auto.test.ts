// Auto update (`autoUpdate`, default on): every SSO login of an existing user refreshes names and email from the
// profile and re-renders templated saved attributes, re-linking `~`/`!` relations without renaming shared records.
// Off: the account is left as it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { ssoLogin } from '../support/workos.ts';

const saved = {
  isStaff: true,
  profile: { title: '{{ profile.raw_attributes.title }}', organizationName: 'Acme (set at creation)' },
  '~location': { locationId: '{{ profile.raw_attributes.loc }}' },
  emailAddresses: [{ address: '{{ profile.email | lower }}' }],
};

async function setUp(autoUpdate: boolean): Promise<WorkosTestApp> {
  const t = await createTestApp({ emulator: true, config: { sso: { autoUpdate } } });
  await t.prisma.location.createMany({ data: [{ locationId: 'loc-a', address: 'A street' }, { locationId: 'loc-b', address: 'B street' }] });
  await t.login.rules.create({ name: 'Acme JIT', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes', savedAttributes: saved });
  await t.login.rules.create({ name: 'Globex (no saved attributes)', method: 'sso', priority: 11, emailRegex: '@globex\\.test$', organizationId: 'org_globex' });
  return t;
}

const kim = (email: string, first: string, raw: Record<string, unknown>) => ({ profile: { email, idpId: 'idp-kim', firstName: first, lastName: 'Kay', connectionId: 'conn_acme_saml', rawAttributes: raw } });
const userOf = (t: WorkosTestApp, id: number | string) => t.prisma.user.findUniqueOrThrow({ where: { id: id as number }, include: { profile: true, location: true, emailAddresses: { orderBy: { id: 'asc' } } } });

describe('autoUpdate on (default)', () => {
  let t: WorkosTestApp;
  beforeAll(async () => (t = await setUp(true)));
  afterAll(() => t.close());

  // Threat: one person's login renaming a record shared by everyone (the original renamed linked records).
  it('refreshes names, email and templated attributes; literal values and shared records are left alone', async () => {
    expect((await ssoLogin(t, t.agent(), 'kim@acme.test', kim('kim@acme.test', 'Kim', { title: 'Engineer', loc: 'loc-a' }))).status).toBe(303);
    const created = t.events.of('userCreated')[0]!.user;
    expect(await userOf(t, created.id)).toMatchObject({ isStaff: true, profile: { title: 'Engineer', organizationName: 'Acme (set at creation)' }, location: { locationId: 'loc-a' } });
    // An administrator changes what the literal attributes set.
    await t.prisma.user.update({ where: { id: created.id as number }, data: { isStaff: false, profile: { update: { organizationName: 'Changed by admin' } } } });

    const res = await ssoLogin(t, t.agent(), 'kim@acme.test', kim('Kim.Kay@acme.test', 'Kimberly', { title: 'Manager', loc: 'loc-b' }));
    expect(res.status).toBe(303);
    const user = await userOf(t, created.id);
    expect(user).toMatchObject({ username: 'kim@acme.test', email: 'Kim.Kay@acme.test', firstName: 'Kimberly', lastName: 'Kay', isStaff: false });
    expect(user.profile).toMatchObject({ title: 'Manager', organizationName: 'Changed by admin' });
    // Re-linked to the record found now; neither record was renamed.
    expect(user.location?.locationId).toBe('loc-b');
    expect(await t.prisma.location.findMany({ orderBy: { id: 'asc' }, select: { locationId: true, address: true } })).toEqual([
      { locationId: 'loc-a', address: 'A street' },
      { locationId: 'loc-b', address: 'B street' },
    ]);
    // The list gained the new address and kept the old one.
    expect(user.emailAddresses.map((e) => e.address)).toEqual(['kim@acme.test', 'kim.kay@acme.test']);
    expect(t.events.of('userCreated')).toHaveLength(1);
  });

  it('a lookup that finds nothing now leaves the current link as it is', async () => {
    const id = t.events.of('userCreated')[0]!.user.id;
    expect((await ssoLogin(t, t.agent(), 'kim@acme.test', kim('Kim.Kay@acme.test', 'Kimberly', { title: 'Manager', loc: 'loc-gone' }))).status).toBe(303);
    expect((await userOf(t, id)).location?.locationId).toBe('loc-b');
  });

  it('saves names and email even when the rule has no saved attributes', async () => {
    const gina = await createUser(t.prisma, { username: 'gina', email: 'gina@globex.test', password: null, firstName: 'Old', lastName: 'Name' });
    expect((await ssoLogin(t, t.agent(), 'gina', { email: 'gina@globex.test' })).status).toBe(303);
    expect(await t.prisma.user.findUniqueOrThrow({ where: { id: gina.id } })).toMatchObject({ firstName: 'Gina', lastName: 'Globex', email: 'gina@globex.test' });
  });
});

describe('autoUpdate off', () => {
  let t: WorkosTestApp;
  beforeAll(async () => (t = await setUp(false)));
  afterAll(() => t.close());

  it('uses saved attributes at creation only and leaves the account alone afterwards', async () => {
    expect((await ssoLogin(t, t.agent(), 'kim@acme.test', kim('kim@acme.test', 'Kim', { title: 'Engineer', loc: 'loc-a' }))).status).toBe(303);
    const id = t.events.of('userCreated')[0]!.user.id;
    const res = await ssoLogin(t, t.agent(), 'kim@acme.test', kim('Kim.Kay@acme.test', 'Kimberly', { title: 'Manager', loc: 'loc-b' }));
    expect(res.status).toBe(303);
    const user = await userOf(t, id);
    expect(user).toMatchObject({ email: 'kim@acme.test', firstName: 'Kim', profile: { title: 'Engineer' }, location: { locationId: 'loc-a' } });
    expect(user.emailAddresses.map((e) => e.address)).toEqual(['kim@acme.test']);
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { id }, method: 'sso' });
  });
});
