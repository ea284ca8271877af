// Rule resolution at scale: `rules` rules of which about a fifth are lookup-attribute rules (group membership,
// boolean and scalar fields, as hosts write them), over `users` users. p50 of `RuleStore.resolve` for a user in hand
// (rules cached), against the p50 of reading that user, which every login does anyway.
import type { Logger } from '../src/config.ts';
import { RuleRepository } from '../src/db/rules.ts';
import { UserRepository } from '../src/db/users.ts';
import { RuleStore } from '../src/rules/store.ts';
import { BUILTIN_CATALOG } from '../test/support/catalog.ts';
import { createTestDb } from '../test/support/db.ts';

export interface ScaleResult {
  users: number;
  lookups: number;
  p50: number;
  baselineP50: number;
  /** Statements one resolution sent (rules cached), for a user whose relation rows no read has remembered yet. */
  queries: number;
  /** p50 of the resolution at the user's next read (their relation rows remembered, as at step 2 of a login). */
  warmP50: number;
  /** Statements of that next read and its resolution together: the user read, which checks the remembered rows. */
  warmQueries: number;
  /** Time spent creating the users and rules. */
  seedMs: number;
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function ruleScaleBench(ruleCount: number, userCount: number, samples: number, logger: Logger): Promise<ScaleResult> {
  const db = await createTestDb();
  const sent: string[] = [];
  const prisma = db.newClient({ onQuery: (q) => sent.push(q) });
  try {
    const seedStart = performance.now();
    const groups = 20;
    await prisma.group.createMany({ data: Array.from({ length: groups }, (_, i) => ({ name: `team-${i}` })) });
    const groupIds = (await prisma.group.findMany({ orderBy: { id: 'asc' } })).map((g) => g.id);
    // One INSERT … SELECT over a generated series (createMany in batches took 48 s for 100k users on PostgreSQL);
    // the same rows as createMany would write: the columns not named take the schema's defaults.
    const series =
      db.provider === 'postgres'
        ? `FROM generate_series(0, ${userCount - 1}) AS n(i)`
        : `FROM (WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${userCount}) SELECT i FROM s)`;
    await prisma.$executeRawUnsafe(
      `INSERT INTO ${db.table('User')} ("username", "email", "isStaff", "lastName") ` +
        `SELECT 'u' || i, 'u' || i || '@corp' || (i % 50) || '.test', (i % 97 = 0), 'L' || (i % 300) ${series}`,
    );
    // A few memberships per group (as raw rows would cost a join table name; connect through Prisma instead).
    for (const [i, id] of groupIds.entries()) await prisma.group.update({ where: { id }, data: { users: { connect: Array.from({ length: 20 }, (_, k) => ({ username: `u${(i * 31 + k * 7) % userCount}` })) } } });

    const users = new UserRepository(prisma, { usernameLookup: true, emailLookup: false, activeUserFilter: { isActive: true } });
    // A clock that stands still: the rules stay cached, so no figure includes the once-a-second rule stamp check.
    const store = new RuleStore(new RuleRepository(prisma), users, logger, BUILTIN_CATALOG, () => 0);
    const lookups = Math.round(ruleCount / 5) - 1;
    for (let i = 0; i < ruleCount - 1; i++) {
      const k = i % 5;
      const input =
        i < lookups * 5 && k === 0
          ? { lookupAttributes: [{ groups: { some: { name: `team-${i % groups}` } } }, { isStaff: true, lastName: `L${i % 300}` }, { lastName: { in: [`L${i % 300}`, `M${i}`] } }][i % 3]! }
          : { emailRegex: `^nobody${i}@corp${i % 50}\\.test$` };
      await store.create({ name: `rule ${i}`, method: 'password', priority: i + 1, ...input });
    }
    await store.create({ name: 'everyone', method: 'password', priority: ruleCount + 10, emailRegex: '.*' });
    const rules = await store.list();
    const lookupCount = rules.filter((r) => r.where).length;
    const seedMs = performance.now() - seedStart;

    const times: number[] = [];
    const base: number[] = [];
    const warm: number[] = [];
    let queries = 0;
    let warmQueries = 0;
    for (let s = 0; s < samples + 10; s++) {
      const name = `u${(s * 7919) % userCount}`;
      let t0 = performance.now();
      const user = await users.findForLogin(name);
      const read = performance.now() - t0;
      const before = sent.length;
      t0 = performance.now();
      await store.resolve(user!, name);
      const took = performance.now() - t0;
      const coldSent = sent.length - before;
      const again = sent.length;
      const reread = await users.findForLogin(name);
      t0 = performance.now();
      await store.resolve(reread!, name);
      const warmTook = performance.now() - t0;
      if (s >= 10) {
        times.push(took);
        base.push(read);
        warm.push(warmTook);
        queries = Math.max(queries, coldSent);
        warmQueries = Math.max(warmQueries, sent.length - again);
      }
    }
    return { users: userCount, lookups: lookupCount, p50: p50(times), baselineP50: p50(base), queries, warmP50: p50(warm), warmQueries, seedMs };
  } finally {
    await prisma.$disconnect();
    await db.close();
  }
}
