// `login.rules.preview(draft)` says which active users a draft would catch before it is saved: a count, the first 20,
// who would move from which rule, and who an earlier rule keeps. `usage()` counts each rule's users. Both agree with
// what a login resolves (`explain`) for every user, and nothing is saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';

let t: TestApp;
const ids: Record<string, number> = {};
beforeAll(async () => {
  t = await createTestApp({
    rules: [
      { name: 'Staff MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true } },
      { name: 'SSO users', method: 'sso', priority: 15, organizationId: 'org_acme', lookupAttributes: { hasSso: true } },
      { name: 'Engineers', method: 'magic', priority: 30, lookupAttributes: { groups: { some: { name: 'Eng' } } } },
    ],
  });
  const users: [string, string, object?][] = [
    ['ann', 'ann@acme.test'],
    ['bob', 'BOB@Acme.test'],
    ['carl', 'carl@other.test'],
    ['sara', 'sara@acme.test', { isStaff: true }],
    ['mona', 'mona@other.test'],
    ['sid', 'sid@acme.test'],
    ['ina', 'ina@acme.test', { isActive: false }],
    ['eve', 'eve@eng.test'],
    ['evil', 'evil@acme.test.example.org'],
  ];
  for (const [username, email, extra] of users) {
    const u = await createUser(t.prisma, { username, email, groups: username === 'eve' ? ['Eng'] : undefined });
    if (extra) await t.prisma.user.update({ where: { id: u.id }, data: extra });
    ids[username] = u.id;
  }
  await t.prisma.mfaFactor.create({ data: { userId: ids.mona!, workosFactorId: 'auth_factor_mona', type: 'totp' } });
  await t.prisma.ssoIdentity.create({ data: { userId: ids.sid!, scope: 'org:org_acme', idpId: 'sid', profileId: 'prof_sid', connectionId: 'conn_acme' } });
  for (let i = 0; i < 25; i++) await createUser(t.prisma, { username: `bulk${String(i).padStart(2, '0')}`, email: `bulk${i}@bulk.test` });
});
afterAll(() => t.close());

const ruleId = async (name: string) => (await t.login.rules.list()).find((r) => r.name === name)!.id;
const ACTIVE = 9 - 1 + 25;

describe('preview of a new rule', () => {
  it('counts whom it catches, names the first ones, says where they come from and who an earlier rule keeps', async () => {
    const rulesBefore = await t.prisma.loginRule.count();
    const preview = await t.login.rules.preview({ name: 'Acme magic', method: 'magic', priority: 20, emailRegex: '@acme\\.test$' });
    if (!preview.ok) throw new Error(JSON.stringify(preview.errors));
    expect(preview.total).toBe(ACTIVE);
    // ann and bob (email case ignored); sara is staff (rule 10), sid has SSO (rule 15), ina is inactive, evil's address only contains the domain.
    expect(preview.caught).toBe(2);
    expect(preview.sample.map((u) => [u.username, u.email, u.from?.name])).toEqual([
      ['ann', 'ann@acme.test', 'Username/password login'],
      ['bob', 'BOB@Acme.test', 'Username/password login'],
    ]);
    expect(preview.moves).toEqual([{ from: expect.objectContaining({ name: 'Username/password login' }), to: { id: null, name: 'Acme magic', method: 'magic' }, count: 2 }]);
    expect(preview.shadowed.map((s) => [s.by.name, s.count]).sort()).toEqual([['SSO users', 1], ['Staff MFA', 1]]);
    expect(preview.warnings).toEqual([]);
    expect(await t.prisma.loginRule.count()).toBe(rulesBefore);
  });

  it('placed first, it takes users from the earlier rules too; an unanchored regex catches more and is warned about', async () => {
    const preview = await t.login.rules.preview({ name: 'Acme first', method: 'magic', priority: 1, emailRegex: '@acme\\.test' });
    if (!preview.ok) throw new Error('not ok');
    expect(preview.sample.map((u) => u.username)).toEqual(['ann', 'bob', 'sara', 'sid', 'evil']);
    expect(preview.moves.map((m) => [m.from?.name, m.count]).sort()).toEqual([['SSO users', 1], ['Staff MFA', 1], ['Username/password login', 3]]);
    expect(preview.warnings.map((w) => w.path)).toEqual(['emailRegex']);
  });

  it('lookup attributes: hasMfa, a relation filter', async () => {
    const mfa = await t.login.rules.preview({ name: 'Has MFA', method: 'mfa', priority: 5, totpOrganizationName: 'Acme', lookupAttributes: { hasMfa: true } });
    expect(mfa.ok && mfa.sample.map((u) => u.username)).toEqual(['mona']);
    const eng = await t.login.rules.preview({ name: 'Eng first', method: 'password', priority: 2, lookupAttributes: { groups: { some: { name: 'Eng' } } } });
    expect(eng.ok && eng.moves.map((m) => [m.from?.name, m.to?.name, m.count])).toEqual([['Engineers', 'Eng first', 1]]);
  });

  it('only the first 20 are listed, by id; the count is exact', async () => {
    const preview = await t.login.rules.preview({ name: 'Bulk', method: 'password', priority: 3, emailRegex: '@bulk\\.test$' });
    if (!preview.ok) throw new Error('not ok');
    expect(preview.caught).toBe(25);
    expect(preview.sample).toHaveLength(20);
    expect(preview.sample.map((u) => u.username)).toEqual(Array.from({ length: 20 }, (_, i) => `bulk${String(i).padStart(2, '0')}`));
  });

  it('a disabled draft catches nobody; an invalid one returns its errors instead', async () => {
    const off = await t.login.rules.preview({ name: 'Off', method: 'password', priority: 4, emailRegex: '.*', enabled: false });
    expect(off.ok && [off.caught, off.moves]).toEqual([0, []]);
    const bad = await t.login.rules.preview({ name: 'Bad', method: 'sso', priority: 10, emailRegex: '.*' });
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.errors.map((e) => e.path).sort()).toEqual(['connectionId', 'priority']);
  });
});

describe('preview of an edit', () => {
  it('shows who would leave the rule and where they would go', async () => {
    const staff = await ruleId('Staff MFA');
    const preview = await t.login.rules.preview({ enabled: false }, { id: staff });
    if (!preview.ok) throw new Error('not ok');
    expect(preview.caught).toBe(0);
    expect(preview.moves.map((m) => [m.from?.name, m.to?.name, m.count])).toEqual([['Staff MFA', 'Username/password login', 1]]);
    const wider = await t.login.rules.preview({ emailRegex: '@other\\.test$' }, { id: staff });
    if (!wider.ok) throw new Error('not ok');
    // sara stays (no move); carl and mona join.
    expect(wider.caught).toBe(3);
    expect(wider.moves.map((m) => [m.from?.name, m.to?.name, m.count])).toEqual([['Username/password login', 'Staff MFA', 2]]);
    expect(wider.sample.find((u) => u.username === 'sara')!.from).toEqual({ id: staff, name: 'Staff MFA', method: 'mfa' });
  });
});

describe('agrees with logins', () => {
  it('usage() counts each user under the rule explain() gives them (a rule whose filter the database refuses blocks the logins that reach it, as at login)', async () => {
    const bad = await t.prisma.loginRule.create({ data: { name: 'Bad filter', method: 'password', priority: 12, lookupAttributes: '{"shoeSize": 42}' } });
    t.login.rules.invalidate();
    const usage = await t.login.rules.usage();
    const counted = new Map<number | null, number>();
    const active = await t.prisma.user.findMany({ where: { isActive: true } });
    for (const user of active) {
      const rule = (await t.login.explain(user.username)).rule?.id ?? null;
      counted.set(rule, (counted.get(rule) ?? 0) + 1);
    }
    expect(usage.total).toBe(active.length);
    expect(new Map([...usage.counts].sort())).toEqual(new Map([...counted].sort()));
    expect(usage.counts.get(bad.id)).toBeUndefined();
    // Everyone below the broken rule is blocked (no rule), as their logins are.
    expect(usage.counts.get(null)).toBeGreaterThan(0);
    expect(t.logs.some((l) => l.includes('"Bad filter" is invalid; logins that reach it (priority 12) are refused'))).toBe(true);
  });
});
