// Two router instances (two apps, two Prisma clients, one database). Two rule writes through A land in the same
// millisecond, with B refreshing between them: the rows' count, max id and max `updatedAt` are then the same
// before and after the second write, and only the version row (bumped in each write's transaction) tells B that
// its snapshot is stale. B must show the final state once its one-second window has passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { usingPostgres } from '../support/db.ts';

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp({ sameDatabaseAs: a });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

/** What a stamp without the version row would compare: unchanged means such a stamp would have missed the write. */
async function legacyStamp(app: TestApp): Promise<string> {
  const agg = await app.prisma.loginRule.aggregate({ _count: { _all: true }, _max: { id: true, updatedAt: true } });
  return `${agg._count._all}:${agg._max.id}:${agg._max.updatedAt?.getTime()}`;
}

/** Puts every rule's `updatedAt` on one millisecond, as if the writes had all landed in it (clocks cannot be forced). */
async function sameMillisecond(app: TestApp, at: Date): Promise<void> {
  await app.prisma.loginRule.updateMany({ data: { updatedAt: at } });
}

describe('rule cache across instances: two writes in one millisecond', () => {
  it('B sees the second of two same-millisecond updates after the window', async () => {
    const base = { method: 'magic' as const, priority: 10, emailRegex: '@acme\\.test$' };
    const rule = await a.login.rules.create({ name: 'Acme', ...base });
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    await sameMillisecond(a, at);

    b.clock.advance(1_001);
    expect((await b.login.rules.get(rule.id))?.emailRegex).toBe('@acme\\.test$');
    const before = await legacyStamp(b);

    await a.login.rules.update(rule.id, { name: 'Acme', ...base, emailRegex: '@acme\\.example$' });
    await sameMillisecond(a, at);
    expect(await legacyStamp(b)).toBe(before);

    // Within the window B still trusts its snapshot (the documented delay) ...
    expect((await b.login.rules.get(rule.id))?.emailRegex).toBe('@acme\\.test$');
    // ... and after it, the version row gives the change away.
    b.clock.advance(1_001);
    expect((await b.login.rules.get(rule.id))?.emailRegex).toBe('@acme\\.example$');
  });

  it('two writes back to back (one millisecond), B refreshing between them: B ends on the final state', async () => {
    const rules = await a.login.rules.list();
    const acme = rules.find((r) => r.name === 'Acme')!;
    const input = { name: 'Acme', method: 'magic' as const, priority: 10 };
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 5_000);

    await a.login.rules.update(acme.id, { ...input, emailRegex: '@one\\.test$' });
    await sameMillisecond(a, at);
    b.clock.advance(1_001);
    expect((await b.login.rules.get(acme.id))?.emailRegex).toBe('@one\\.test$');
    const before = await legacyStamp(b);

    await a.login.rules.update(acme.id, { ...input, emailRegex: '@two\\.test$', enabled: false });
    await sameMillisecond(a, at);
    expect(await legacyStamp(b)).toBe(before);

    b.clock.advance(1_001);
    expect(await b.login.rules.get(acme.id)).toMatchObject({ emailRegex: '@two\\.test$', enabled: false });
  });

  // On PostgreSQL the two instances race. SQLite's driver is synchronous: two clients in ONE process would block
  // each other's event loop on the file lock (separate processes just wait), so there one instance races itself.
  it('racing writes each bump the version row, and each instance ends on the final state', async () => {
    const version = async () => (await a.prisma.loginRuleVersion.findUnique({ where: { id: 1 } }))?.version ?? 0;
    const start = await version();
    const other = usingPostgres ? b : a;
    await Promise.all([
      a.login.rules.create({ name: 'From A', method: 'magic', priority: 40, emailRegex: '@a\\.test$' }),
      other.login.rules.create({ name: 'From B', method: 'magic', priority: 41, emailRegex: '@b\\.test$' }),
    ]);
    expect(await version()).toBe(start + 2);
    a.clock.advance(1_001);
    b.clock.advance(1_001);
    for (const app of [a, b]) expect((await app.login.rules.list()).map((r) => r.name)).toEqual(expect.arrayContaining(['From A', 'From B']));
  });

  it('every write through the library bumps the version row by one, in its transaction', async () => {
    const version = async () => (await a.prisma.loginRuleVersion.findUnique({ where: { id: 1 } }))?.version ?? 0;
    const start = await version();
    const rule = await a.login.rules.create({ name: 'Counted', method: 'magic', priority: 30, emailRegex: '@c\\.test$' });
    await a.login.rules.update(rule.id, { name: 'Counted', method: 'magic', priority: 30, emailRegex: '@d\\.test$' });
    await a.login.rules.delete(rule.id);
    expect(await version()).toBe(start + 3);
  });

  it("the admin's reordering and imports bump it too: B sees a same-millisecond move and import after the window", async () => {
    const version = async () => (await a.prisma.loginRuleVersion.findUnique({ where: { id: 1 } }))?.version ?? 0;
    const first = await a.login.rules.create({ name: 'Moved', method: 'magic', priority: 50, emailRegex: '@moved\\.test$' });
    const second = await a.login.rules.create({ name: 'Stays', method: 'magic', priority: 51, emailRegex: '@stays\\.test$' });
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    await sameMillisecond(a, at);
    b.clock.advance(1_001);
    expect((await b.login.rules.get(first.id))?.priority).toBe(50);
    const before = await legacyStamp(b);
    const start = await version();

    await a.login.rules.move(first.id, { after: second.id });
    await sameMillisecond(a, at);
    expect(await legacyStamp(b)).toBe(before);
    expect(await version()).toBe(start + 1);
    b.clock.advance(1_001);
    const moved = await b.login.rules.get(first.id);
    expect(moved!.priority).toBeGreaterThan((await b.login.rules.get(second.id))!.priority);

    const doc = await a.login.rules.export();
    const edited = { ...doc, rules: doc.rules.map((r) => (r.name === 'Stays' ? { ...r, emailRegex: '@imported\\.test$' } : r)) };
    const stamp = await legacyStamp(b);
    expect((await a.login.rules.import(edited)).applied).toBe(true);
    await sameMillisecond(a, at);
    expect(await legacyStamp(b)).toBe(stamp);
    expect(await version()).toBe(start + 2);
    b.clock.advance(1_001);
    expect((await b.login.rules.get(second.id))?.emailRegex).toBe('@imported\\.test$');
  });
});
