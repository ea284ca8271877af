// Rule preview on 100,000 users in PostgreSQL, against baselines measured in the same run on the same database:
//  - a plain count of the active users (the least any preview must do: ask the database about every user);
//  - reading the id and email of every active user (what the preview reads, without any matching).
// Measured: preview of a domain rule placed among 20 rules, of a catch-all rule placed first (every user moves),
// of an edit (disabling a rule with a `where`), and `usage()` (the admin list's user counts).
// Run: npm run bench:preview   (PostgreSQL at TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
process.env.TEST_DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/test';
const { createTestDb } = await import('../test/support/db.ts');
const { createTestApp } = await import('../test/support/app.ts');

const USERS = 100_000;
const quiet = { info() {}, warn() {}, error() {} };

async function time(label: string, n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm up (query plans, the client's compiled queries)
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  const perOp = Number(process.hrtime.bigint() - start) / 1e6 / n;
  console.log(`  ${label.padEnd(58)} ${perOp.toFixed(1).padStart(8)} ms/op  (n=${n})`);
  return perOp;
}

const db = await createTestDb();
if (db.provider !== 'postgres') throw new Error('bench/preview.ts needs PostgreSQL (TEST_DATABASE_URL)');
const t = await createTestApp({ db, config: { logger: quiet } });
try {
  const s = `"${db.schema!}"`;
  const load = Date.now();
  // 100k users: 10% at acme.test, 5% staff, 1 in 20 with an MFA factor, 1 in 25 with an SSO identity, 1 in 50 in a
  // group; 2% inactive.
  await t.prisma.$executeRawUnsafe(`
    INSERT INTO ${s}."User" ("username", "email", "isActive", "isStaff")
    SELECT 'user' || i, 'user' || i || '@' || (CASE WHEN i % 10 = 0 THEN 'acme.test' ELSE 'corp' || (i % 37) || '.test' END),
           i % 50 <> 1, i % 20 = 3
    FROM generate_series(1, ${USERS}) AS i`);
  await t.prisma.$executeRawUnsafe(`INSERT INTO ${s}."MfaFactor" ("userId", "workosFactorId", "type") SELECT id, 'auth_factor_' || id, 'totp' FROM ${s}."User" WHERE id % 20 = 7`);
  await t.prisma.$executeRawUnsafe(
    `INSERT INTO ${s}."SsoIdentity" ("userId", "scope", "idpId", "profileId", "connectionId") SELECT id, 'conn:conn_x', 'idp' || id, 'prof' || id, 'conn_x' FROM ${s}."User" WHERE id % 25 = 11`,
  );
  await t.prisma.group.create({ data: { name: 'Eng' } });
  await t.prisma.$executeRawUnsafe(`INSERT INTO ${s}."_UserGroups" ("A", "B") SELECT g.id, u.id FROM ${s}."Group" g, ${s}."User" u WHERE g.name = 'Eng' AND u.id % 50 = 13`);
  await t.prisma.$executeRawUnsafe(`ANALYZE`);
  console.log(`loaded ${USERS} users in ${Date.now() - load} ms`);

  // 20 rules like a host with a few dozen customers: domain rules, staff MFA, factor holders, a group, SSO users.
  const rules = t.login.rules;
  await rules.create({ name: 'Staff MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true } });
  await rules.create({ name: 'Has MFA', method: 'mfa', priority: 20, totpOrganizationName: 'Acme', lookupAttributes: { hasMfa: true } });
  await rules.create({ name: 'SSO users', method: 'sso', priority: 30, connectionId: 'conn_x', lookupAttributes: { hasSso: true } });
  await rules.create({ name: 'Engineers', method: 'magic', priority: 40, lookupAttributes: { groups: { some: { name: 'Eng' } } } });
  for (let i = 0; i < 16; i++) await rules.create({ name: `Customer ${i}`, method: 'sso', priority: 100 + i * 10, emailRegex: `@corp${i}\\.test$`, organizationId: `org_${i}` });
  const engineers = (await rules.list()).find((r) => r.name === 'Engineers')!;

  const active = await t.prisma.user.count({ where: { isActive: true } });
  console.log(`\nrule preview, ${active} active users, ${(await rules.list()).length} rules (PostgreSQL)`);
  const count = await time('baseline: count the active users', 10, () => t.prisma.user.count({ where: { isActive: true } }));
  const read = await time('baseline: read id and email of every active user', 5, () => t.prisma.user.findMany({ where: { isActive: true }, select: { id: true, email: true } }));
  const domain = await time('preview: a domain rule among the others', 5, () => rules.preview({ name: 'Acme', method: 'magic', priority: 50, emailRegex: '@acme\\.test$' }));
  const everyone = await time('preview: a catch-all rule first (every user moves)', 5, () => rules.preview({ name: 'All', method: 'password', priority: 1, emailRegex: '.*' }));
  const edit = await time('preview: an edit (disable the group rule)', 5, () => rules.preview({ enabled: false }, { id: engineers.id }));
  const usage = await time("usage(): every rule's user count (the admin list)", 5, () => rules.usage());
  const check = await rules.preview({ name: 'Acme', method: 'magic', priority: 50, emailRegex: '@acme\\.test$' });
  if (!check.ok || check.caught === 0) throw new Error('the domain preview caught nobody');
  console.log(`  (the domain preview catches ${check.caught} users)`);
  for (const [label, ms] of [['domain', domain], ['catch-all', everyone], ['edit', edit], ['usage', usage]] as const) {
    console.log(`  ratio ${label}/count: ${(ms / count).toFixed(1)}   ${label}/read: ${(ms / read).toFixed(2)}`);
  }
} finally {
  await t.close();
  await db.close();
}
