// The admin's reads and writes: bulk user reads for rule previews, support lookups of any user, and the rule writes
// that touch many rows (reordering, imports), each in one transaction.
import type { AdminRepositories, AdminRuleRows, AdminUserRows, CandidateFilter, IdentityDetails, PreviewRows, PreviewUserRow, RuleWrite } from './admin-ports.ts';
import { guardRepository, withTransactionLimit } from './errors.ts';
import { bumpRuleVersion } from './rules.ts';
import { asDb, supportsInsensitiveMode, type Db, type FactorRow, type PrismaLike, type UserRow } from './types.ts';
import type { UserId } from '../user-types.ts';

export type { AdminRepositories, AdminRuleRows, AdminUserRows, CandidateFilter, IdentityDetails, PreviewRows, PreviewUserRow, RuleWrite } from './admin-ports.ts';

const byName = (names: readonly string[]) => names.map((name) => ({ name }));

/** Moves rows to priorities no row has, so that the final values can then be written in any order. */
async function parkPriorities(tx: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const lowest = await tx.loginRule.aggregate({ _min: { priority: true } });
  const min = Math.min(Number(lowest._min?.priority ?? 0), 0);
  if (min - ids.length < -2_147_483_648) throw new RangeError('express-workos-login: no room below the lowest rule priority to reorder rules');
  for (const [i, id] of ids.entries()) await tx.loginRule.update({ where: { id }, data: { priority: min - 1 - i } });
}

class AdminRuleRepository implements AdminRuleRows {
  constructor(private readonly db: Db) {}

  async setPriorities(changes: readonly { id: number; to: number }[]): Promise<void> {
    if (changes.length === 0) return;
    await this.db.$transaction(async (tx) => {
      await parkPriorities(tx, changes.map((c) => c.id));
      for (const c of changes) await tx.loginRule.update({ where: { id: c.id }, data: { priority: c.to } });
      await bumpRuleVersion(tx);
    });
  }

  async applyImport(plan: { delete: readonly number[]; update: readonly (RuleWrite & { id: number })[]; create: readonly RuleWrite[] }): Promise<void> {
    await this.db.$transaction(async (tx) => {
      if (plan.delete.length) await tx.loginRule.deleteMany({ where: { id: { in: [...plan.delete] } } });
      // Updated rules may swap priorities with each other: park them first.
      await parkPriorities(tx, plan.update.map((u) => u.id));
      for (const u of plan.update) await tx.loginRule.update({ where: { id: u.id }, data: { ...u.data, jitGroups: { set: byName(u.jitGroups) } } });
      for (const c of plan.create) await tx.loginRule.create({ data: { ...c.data, jitGroups: { connect: byName(c.jitGroups) } } });
      await bumpRuleVersion(tx);
    });
  }
}

class PreviewRepository implements PreviewRows {
  private readonly insensitive: boolean;

  constructor(
    private readonly db: Db,
    private readonly activeUserFilter: Readonly<Record<string, unknown>>,
    prisma: PrismaLike,
  ) {
    this.insensitive = supportsInsensitiveMode(prisma);
  }

  private active(where: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return { AND: [where, this.activeUserFilter] };
  }

  async activeUsers(afterId: UserId | null, take: number, candidates?: CandidateFilter): Promise<PreviewUserRow[]> {
    const where: Record<string, unknown>[] = afterId === null ? [] : [{ id: { gt: afterId } }];
    if (candidates) {
      // SQLite's LIKE already ignores ASCII case; PostgreSQL needs `insensitive`.
      const contains = (text: string) => ({ email: { contains: text, ...(this.insensitive && { mode: 'insensitive' }) } });
      where.push({
        OR: [
          ...candidates.emailContains.map(contains),
          ...candidates.wheres,
          ...(candidates.withFactor ? [{ mfaFactors: { some: {} } }] : []),
          ...(candidates.withIdentity ? [{ ssoIdentities: { some: {} } }] : []),
        ],
      });
    }
    return (await this.db.user.findMany({ where: this.active({ AND: where }), select: { id: true, email: true }, orderBy: { id: 'asc' }, take })) as PreviewUserRow[];
  }

  countActive(): Promise<number> {
    return this.db.user.count({ where: this.activeUserFilter });
  }

  async usersWithFactor(): Promise<Set<UserId>> {
    const rows = await this.db.mfaFactor.findMany({ select: { userId: true }, distinct: ['userId'] });
    return new Set(rows.map((r) => r.userId));
  }

  async usersWithIdentity(): Promise<Set<UserId>> {
    const rows = await this.db.ssoIdentity.findMany({ select: { userId: true }, distinct: ['userId'] });
    return new Set(rows.map((r) => r.userId));
  }

  async activeMatching(where: Readonly<Record<string, unknown>>): Promise<Set<UserId>> {
    const rows = await this.db.user.findMany({ where: this.active(where), select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }

  async usersByIds(ids: readonly UserId[]): Promise<{ id: UserId; username: string; email: string }[]> {
    if (ids.length === 0) return [];
    return this.db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, username: true, email: true } });
  }
}

class AdminUserRepository implements AdminUserRows {
  private readonly insensitive: boolean;

  constructor(
    private readonly db: Db,
    prisma: PrismaLike,
  ) {
    this.insensitive = supportsInsensitiveMode(prisma);
  }

  async findByName(name: string): Promise<UserRow | null> {
    const typed = name.trim();
    if (!typed) return null;
    const byUsername = await this.db.user.findUnique({ where: { username: typed } });
    if (byUsername || !typed.includes('@')) return byUsername;
    const wanted = typed.toLowerCase();
    const candidates = this.insensitive
      ? await this.db.user.findMany({ where: { email: { equals: wanted, mode: 'insensitive' } }, take: 2 })
      : (await this.db.user.findMany({ where: { AND: [{ email: { startsWith: wanted } }, { email: { endsWith: wanted } }] }, take: 20 })).filter(
          (u) => u.email.trim().toLowerCase() === wanted,
        );
    return candidates.length === 1 ? candidates[0]! : null;
  }

  search(query: string, take: number): Promise<UserRow[]> {
    const q = query.trim();
    const contains = (field: string) => ({ [field]: { contains: q, ...(this.insensitive && { mode: 'insensitive' }) } });
    return this.db.user.findMany({ where: q ? { OR: [contains('username'), contains('email')] } : {}, orderBy: { username: 'asc' }, take });
  }

  factors(userId: UserId): Promise<FactorRow[]> {
    return this.db.mfaFactor.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  }

  recoveryCodesLeft(userId: UserId): Promise<number> {
    return this.db.mfaRecoveryCode.count({ where: { userId, usedAt: null } });
  }

  async identities(userId: UserId): Promise<IdentityDetails[]> {
    return (await this.db.ssoIdentity.findMany({ where: { userId }, orderBy: { id: 'asc' } })) as unknown as IdentityDetails[];
  }

  async unlinkIdentities(userId: UserId, ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.db.ssoIdentity.deleteMany({ where: { userId, id: { in: [...ids] } } })).count;
  }

  async reactivate(userId: UserId): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { isActive: true } });
  }
}

/** The admin's repositories over the host's client; `activeUserFilter` decides who counts in previews. */
export function createAdminRepositories(
  host: PrismaLike,
  config: { activeUserFilter: Readonly<Record<string, unknown>>; database: { timeoutMs: number } },
): AdminRepositories {
  const prisma = withTransactionLimit(host, config.database.timeoutMs);
  const db = asDb(prisma);
  const guard = <T extends object>(repo: T): T => guardRepository(repo, config.database.timeoutMs);
  return {
    rules: guard(new AdminRuleRepository(db)),
    preview: guard(new PreviewRepository(db, config.activeUserFilter, prisma)),
    users: guard(new AdminUserRepository(db, prisma)),
  };
}
