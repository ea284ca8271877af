// The data layer (src/db/): the login lookups bring the user's MFA/SSO facts along in the same query, and a plain
// TypeError from inside a repository call counts as a database failure (the "try again" page, not a 500).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicUser } from '../../src/context.ts';
import { DatabaseFailure, DatabaseTimeout, guardRepository, isDatabaseError } from '../../src/db/errors.ts';
import { createRepositories } from '../../src/db/index.ts';
import type { Repositories } from '../../src/db/ports.ts';
import { createTestDb, type TestDb, type TestPrisma } from '../support/db.ts';

let db: TestDb;
let repos: Repositories;
const calls: string[] = [];

/** The real client, seen through a view that records which delegate methods run (nothing is replaced). */
function recording(prisma: TestPrisma): TestPrisma {
  return new Proxy(prisma, {
    get(target, key) {
      const delegate: unknown = Reflect.get(target, key);
      if (typeof key !== 'string' || key.startsWith('$') || !delegate || typeof delegate !== 'object') return delegate;
      return new Proxy(delegate, {
        get(d, method) {
          const fn: unknown = Reflect.get(d, method);
          if (typeof fn !== 'function') return fn;
          return (...args: unknown[]) => {
            calls.push(`${key}.${String(method)}`);
            return (fn as (...a: unknown[]) => unknown).apply(d, args);
          };
        },
      });
    },
  });
}

beforeAll(async () => {
  db = await createTestDb();
  repos = createRepositories(recording(db.prisma), { usernameLookup: true, emailLookup: true, activeUserFilter: { isActive: true }, database: { timeoutMs: 10_000 } });
  const fay = await db.prisma.user.create({ data: { username: 'fay', email: 'Fay@Example.test' } });
  await db.prisma.mfaFactor.create({ data: { userId: fay.id, workosFactorId: 'auth_factor_fay', type: 'totp' } });
  await db.prisma.user.create({ data: { username: 'gus', email: 'gus@example.test' } });
});
afterAll(() => db.close());

describe('user facts', () => {
  it('come with the login lookup, in one query, and are not asked for again', async () => {
    calls.length = 0;
    const fay = (await repos.users.findForLogin('fay'))!;
    expect(fay.facts).toEqual({ hasMfa: true, hasSso: false });
    expect(await repos.users.facts(fay)).toEqual({ hasMfa: true, hasSso: false });
    expect(calls).toEqual(['user.findFirst']);
  });

  it('come with the lookups by id and by email too', async () => {
    const gus = (await repos.users.findForLogin('GUS@example.test'))!;
    expect(gus.username).toBe('gus');
    expect(gus.facts).toEqual({ hasMfa: false, hasSso: false });
    expect((await repos.users.findActiveById(gus.id))!.facts).toEqual({ hasMfa: false, hasSso: false });
  });

  it('are read on demand for a user that came without them', async () => {
    const fay = (await db.prisma.user.findUnique({ where: { username: 'fay' } }))!;
    expect(await repos.users.facts(fay)).toEqual({ hasMfa: true, hasSso: false });
  });

  it('never reach the host: the public user has neither facts nor counts nor the hash', async () => {
    const shown = publicUser((await repos.users.findForLogin('fay'))!) as unknown as Record<string, unknown>;
    expect(shown.username).toBe('fay');
    for (const key of ['facts', '_count', 'passwordHash', 'sessionVersion']) expect(shown).not.toHaveProperty(key);
  });
});

describe('database failures', () => {
  class Probe {
    value = 1;
    read(): number {
      return this.value;
    }
    async broken(): Promise<number> {
      return (null as unknown as { x: number }).x;
    }
    async taken(): Promise<never> {
      throw Object.assign(new Error('unique'), { code: 'P2002' });
    }
    stuck(): Promise<number> {
      return new Promise(() => {});
    }
    async quick(): Promise<number> {
      return 2;
    }
  }

  it('a plain TypeError from a repository call becomes a DatabaseFailure (503); other errors pass unchanged', async () => {
    const probe = guardRepository(new Probe(), 10_000);
    expect(probe.read()).toBe(1);
    const err = await probe.broken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseFailure);
    expect((err as Error).cause).toBeInstanceOf(TypeError);
    expect(isDatabaseError(err)).toBe(true);
    expect(await probe.taken().catch((e: { code?: string }) => e.code)).toBe('P2002');
  });

  it('a call that does not settle within database.timeoutMs becomes a DatabaseTimeout (503); quick ones are untouched', async () => {
    const probe = guardRepository(new Probe(), 100);
    const err = await probe.stuck().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseTimeout);
    expect(isDatabaseError(err)).toBe(true);
    expect(await probe.quick()).toBe(2);
  });
});
