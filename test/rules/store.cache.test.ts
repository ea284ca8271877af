// Two app instances (two RuleStores on two Prisma clients of one database) share rule changes: a change made
// through one is seen by the other once its ~1 s snapshot window has passed. Time moves by the injected clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/config.ts';
import { RuleRepository } from '../../src/db/rules.ts';
import { UserRepository } from '../../src/db/users.ts';
import { RuleStore } from '../../src/rules/store.ts';
import { createTestDb, type TestDb, type TestPrisma } from '../support/db.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';

let db: TestDb;
let a: RuleStore;
let b: RuleStore;
const clock = { now: 1_000_000 };
const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };

const storeOn = (prisma: TestPrisma) =>
  new RuleStore(new RuleRepository(prisma), new UserRepository(prisma, { usernameLookup: true, emailLookup: false, activeUserFilter: { isActive: true } }), logger, BUILTIN_CATALOG, () => clock.now);

const names = async (store: RuleStore) => (await store.list()).map((r) => r.name);

/** Rules are stamped with a millisecond `updatedAt`; make sure the next write lands on a later millisecond. */
async function nextMillisecond(prisma: TestPrisma): Promise<void> {
  const agg = await prisma.loginRule.aggregate({ _max: { updatedAt: true } });
  const last = agg._max.updatedAt?.getTime() ?? 0;
  while (Date.now() <= last) await new Promise((r) => setImmediate(r));
}

beforeAll(async () => {
  db = await createTestDb();
  a = storeOn(db.prisma);
  b = storeOn(db.newClient());
});
afterAll(() => db.close());

describe('rule cache across instances', () => {
  it('both start with the default rule', async () => {
    expect(await names(a)).toEqual(['Username/password login']);
    expect(await names(b)).toEqual(['Username/password login']);
  });

  it('reuses its snapshot within the window and after a stamp check that finds no change', async () => {
    const first = await b.list();
    expect(await b.list()).toBe(first);
    clock.now += 5_000;
    expect(await b.list()).toBe(first);
  });

  it('a rule created through A: A sees it at once, B after the window', async () => {
    await b.list();
    await a.create({ name: 'Acme SSO', method: 'sso', priority: 10, organizationId: 'org_acme', emailRegex: '@acme\\.test$' });
    expect(await names(a)).toEqual(['Acme SSO', 'Username/password login']);
    clock.now += 500;
    expect(await names(b)).toEqual(['Username/password login']);
    clock.now += 501;
    expect(await names(b)).toEqual(['Acme SSO', 'Username/password login']);
    const e = await b.explain('new@acme.test');
    expect(e.trace.map((v) => v.name)).toEqual(['Acme SSO', 'Username/password login']);
  });

  it('a rule updated through A: B sees the new version after the window', async () => {
    const rule = (await a.list()).find((r) => r.name === 'Acme SSO')!;
    expect((await b.get(rule.id))?.emailRegex).toBe('@acme\\.test$');
    await nextMillisecond(db.prisma);
    await a.update(rule.id, { name: 'Acme SSO', method: 'sso', priority: 5, organizationId: 'org_acme', emailRegex: '@acme\\.example$', enabled: false });
    expect((await b.get(rule.id))?.emailRegex).toBe('@acme\\.test$');
    clock.now += 1_001;
    expect(await b.get(rule.id)).toMatchObject({ emailRegex: '@acme\\.example$', priority: 5, enabled: false });
  });

  it('a rule deleted through A: B drops it after the window', async () => {
    const rule = (await a.list()).find((r) => r.name === 'Acme SSO')!;
    await b.list();
    await a.delete(rule.id);
    expect(await names(a)).toEqual(['Username/password login']);
    expect(await names(b)).toEqual(['Acme SSO', 'Username/password login']);
    clock.now += 1_001;
    expect(await names(b)).toEqual(['Username/password login']);
  });

  it('a rule written straight to the database by another instance is picked up too', async () => {
    await b.list();
    await db.prisma.loginRule.create({ data: { name: 'Raw magic', method: 'magic', priority: 20, emailRegex: '@raw\\.test$' } });
    clock.now += 1_001;
    expect(await names(b)).toEqual(['Raw magic', 'Username/password login']);
  });

  it('delete-then-create in one window (same count) is still seen', async () => {
    await b.list();
    const raw = (await a.list()).find((r) => r.name === 'Raw magic')!;
    await a.delete(raw.id);
    await a.create({ name: 'Replacement', method: 'magic', priority: 20, emailRegex: '@raw\\.test$' });
    clock.now += 1_001;
    expect(await names(b)).toEqual(['Replacement', 'Username/password login']);
  });

  it('concurrent loads share one read', async () => {
    clock.now += 1_001;
    const [x, y] = await Promise.all([b.list(), b.list()]);
    expect(x).toBe(y);
  });

  it('logged no warnings', () => {
    expect(warnings).toEqual([]);
  });
});
