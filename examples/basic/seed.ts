// Demo data like the Django sample project: an admin, a user in "MFA Required", magic-link users at
// @example.com, and SSO rules for @foo-corp.com (SAML by organization, `~location`, Directory Sync: accounts
// provisioned from the directory and its "Engineering" group mapped), @initech.com (SAML by connection,
// `!location`), Google and Microsoft, all creating accounts just in time. Idempotent.
import { hashPassword, type PrismaLike } from '../../src/index.ts';
import type { LoginRuleInput, WorkosLoginRouter } from '../../src/index.ts';

interface SeedPrisma extends PrismaLike {
  user: { upsert(args: object): Promise<unknown> };
  group: { upsert(args: object): Promise<unknown> };
  location: { upsert(args: object): Promise<unknown> };
}

export const DEMO_PASSWORD = 'demo-password-123';

export const DEMO_USERS = [
  { username: 'admin', email: 'admin@acme.test', firstName: 'Ada', lastName: 'Admin', isSuperuser: true, isStaff: true, groups: [] as string[] },
  { username: 'mfa-user', email: 'mfa@acme.test', firstName: 'Max', lastName: 'Factor', groups: ['MFA Required'] },
  { username: 'magic', email: 'magic@example.com', firstName: 'Mia', lastName: 'Magic', groups: [] },
  { username: 'pat', email: 'pat@acme.test', firstName: 'Pat', lastName: 'Password', groups: [] },
];

/** Seeds through the app's own router: its rule API, and its bcrypt cost for the demo passwords. */
export async function seedDemo(prisma: SeedPrisma, login: Pick<WorkosLoginRouter, 'rules' | 'config'>): Promise<void> {
  const { rules } = login;
  await prisma.group.upsert({ where: { name: 'MFA Required' }, create: { name: 'MFA Required' }, update: {} });
  await prisma.group.upsert({ where: { name: 'Foo Corp' }, create: { name: 'Foo Corp' }, update: {} });
  await prisma.group.upsert({ where: { name: 'Foo Corp Engineering' }, create: { name: 'Foo Corp Engineering' }, update: {} });
  await prisma.location.upsert({ where: { locationId: 'loc-hq' }, create: { locationId: 'loc-hq', address: '1 Main St' }, update: {} });
  // At the configured cost: a cheaper demo hash would be rehashed at the first login anyway, and would have
  // answered wrong passwords faster than unknown names before the hasher topped such compares up.
  const passwordHash = await hashPassword(DEMO_PASSWORD, login.config.password.bcryptCost);
  for (const u of DEMO_USERS) {
    const { groups, ...fields } = u;
    await prisma.user.upsert({
      where: { username: u.username },
      create: { ...fields, passwordHash, groups: { connect: groups.map((name) => ({ name })) } },
      update: {},
    });
  }
  const existing = new Set((await rules.list()).map((r) => r.name));
  const demoRules: LoginRuleInput[] = [
    { name: 'MFA Required group', method: 'mfa', priority: 10, totpOrganizationName: 'Acme Demo', lookupAttributes: { groups: { some: { name: 'MFA Required' } } } },
    { name: 'Magic link for example.com', method: 'magic', priority: 20, emailRegex: '@example\\.com$' },
    {
      name: 'Foo Corp SAML',
      method: 'sso',
      priority: 30,
      emailRegex: '@foo-corp\\.com$',
      organizationId: 'org_foo_corp',
      jitCreation: 'attributes',
      jitGroups: ['Foo Corp'],
      allowIdpInitiated: true,
      savedAttributes: {
        isStaff: false,
        profile: { organizationName: '{{profile.raw_attributes.organization_name}}', title: '{{profile.raw_attributes.title}}' },
        '~location': { locationId: '{{profile.raw_attributes.locationUuid}}' },
      },
      directoryProvisioning: { users: true, groups: { Engineering: 'Foo Corp Engineering' } },
    },
    {
      // SAML by connection; IdP-initiated logins allowed; only people whose location exists get an account.
      name: 'Initech SAML (connection)',
      method: 'sso',
      priority: 35,
      emailRegex: '@initech\\.com$',
      connectionId: 'conn_initech_okta',
      jitCreation: 'idp',
      allowIdpInitiated: true,
      savedAttributes: {
        '!location': { locationId: '{{profile.raw_attributes.locationUuid}}' },
        profile: { organizationName: 'Initech', title: '{{profile.raw_attributes.title}}' },
      },
    },
    { name: 'Google accounts', method: 'GoogleOAuth', priority: 40, emailRegex: '@gmail\\.com$', jitCreation: 'attributes' },
    { name: 'Microsoft accounts', method: 'MicrosoftOAuth', priority: 50, emailRegex: '@outlook\\.com$', jitCreation: 'attributes' },
  ];
  for (const rule of demoRules) {
    if (!existing.has(rule.name)) await rules.create(rule);
  }
}
