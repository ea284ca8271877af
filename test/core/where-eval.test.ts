// The in-memory answer to a lookup filter must equal the database's, user by user (nulls included); filters outside
// the subset say so (the caller then asks the database).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesInMemory, UnsupportedFilter } from '../../src/core/where-eval.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
const RELATIONS = new Set(['groups', 'profile', 'location', 'emailAddresses', 'mfaFactors', 'ssoIdentities', 'recoveryCodes', 'passwordResetTokens', 'magicLinkTokens']);

beforeAll(async () => {
  db = await createTestDb();
  const p = db.prisma;
  await p.user.create({ data: { username: 'a', firstName: 'Ann', isStaff: true, sessionVersion: 3, groups: { create: [{ name: 'staff' }, { name: 'eng' }] }, profile: { create: { title: 'Boss', isManager: true, employeeNumber: 7 } } } });
  await p.user.create({ data: { username: 'b', lastName: 'Nobody', groups: { connect: [{ name: 'eng' }] }, profile: { create: { title: '', employeeNumber: null } } } });
  await p.user.create({ data: { username: 'c', isActive: false, passwordHash: null } });
});
afterAll(async () => db.close());

const FILTERS: Record<string, unknown>[] = [
  { isStaff: true },
  { isStaff: false, isActive: true },
  { username: 'a' },
  { username: { equals: 'b' } },
  { username: { not: 'a' } },
  { passwordHash: null },
  { passwordHash: { not: null } },
  { lastName: { in: ['Nobody', 'X'] } },
  { lastName: { notIn: ['Nobody'] } },
  { sessionVersion: { gt: 2 } },
  { sessionVersion: { lte: 0 } },
  { OR: [{ isStaff: true }, { lastName: 'Nobody' }] },
  { NOT: { isStaff: true } },
  { NOT: [{ isStaff: true }, { isActive: false }] },
  { AND: [{ isActive: true }, { NOT: { username: 'b' } }] },
  { groups: { some: { name: 'staff' } } },
  { groups: { some: { name: 'eng' } } },
  { groups: { every: { name: 'eng' } } },
  { groups: { none: { name: 'staff' } } },
  { groups: { some: { name: { in: ['eng', 'x'] } } } },
  { profile: { is: { isManager: true } } },
  { profile: { is: null } },
  { profile: { title: 'Boss' } },
  { profile: { employeeNumber: { not: 7 } } },
  { NOT: { profile: { employeeNumber: 7 } } },
  { profile: { employeeNumber: null } },
];

async function rowOf(id: number) {
  const user = (await db.prisma.user.findUnique({ where: { id }, include: { groups: true, profile: true } })) as unknown as Record<string, unknown>;
  // As the rule store reads relations: from the related model's side, always as a list.
  return { ...user, profile: user.profile ? [user.profile] : [] };
}

describe('matchesInMemory', () => {
  it('answers as the database does for every supported filter and user', async () => {
    const users = await db.prisma.user.findMany({ orderBy: { id: 'asc' } });
    for (const where of FILTERS) {
      for (const u of users) {
        const expected = (await db.prisma.user.count({ where: { AND: [{ id: u.id }, where] } })) > 0;
        expect(matchesInMemory(await rowOf(u.id), where, RELATIONS), `${JSON.stringify(where)} for ${u.username}`).toBe(expected);
      }
    }
  });

  it('says unsupported for what only the database can answer', async () => {
    const row = await rowOf((await db.prisma.user.findFirstOrThrow({ where: { username: 'a' } })).id);
    for (const where of [{ username: { contains: 'a' } }, { username: { equals: 'a', mode: 'insensitive' } }, { createdAt: { lt: '2030-01-01T00:00:00Z' } }, { username: { gt: 'a' } }, { location: { locationId: 'x' } }, { groups: { some: { users: { some: { id: 1 } } } } }]) {
      expect(() => matchesInMemory(row, where, RELATIONS), JSON.stringify(where)).toThrow(UnsupportedFilter);
    }
  });
});
