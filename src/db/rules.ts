// LoginRule rows and the groups they connect. Validation and caching stay in src/rules/store.ts.
import type { DataModel } from '../core/jit-model.ts';
import { dataModelOf } from './model.ts';
import type { RuleRows } from './ports.ts';
import { asDb, hasModel, type Db, type LoginRuleData, type LoginRuleRow, type PrismaLike } from './types.ts';

const VERSION_ROW = 1;

const byName = (names: readonly string[]) => names.map((name) => ({ name }));

/**
 * Bumps the version row inside a rule write's transaction (a no-op for schemas without the model). Every write to
 * LoginRule through the library calls it, the admin's reordering and imports included.
 */
export async function bumpRuleVersion(tx: Db): Promise<void> {
  // A single-unique-field upsert is one INSERT ... ON CONFLICT on PostgreSQL: safe when two instances race.
  await tx.loginRuleVersion?.upsert({ where: { id: VERSION_ROW }, create: { id: VERSION_ROW, version: 1 }, update: { version: { increment: 1 } } });
}

export class RuleRepository implements RuleRows {
  private readonly db: Db;

  /** Hosts whose schema predates the LoginRuleVersion model keep the count/id/updatedAt stamp alone. */
  readonly versioned: boolean;

  constructor(private readonly prisma: PrismaLike) {
    this.db = asDb(prisma);
    this.versioned = hasModel(prisma, 'loginRuleVersion');
  }

  list(): Promise<LoginRuleRow[]> {
    return this.db.loginRule.findMany({ include: { jitGroups: { select: { id: true, name: true } } }, orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
  }

  /**
   * The version row changes with every write through the library, in the write's own transaction, so two writes
   * in one millisecond still give two stamps. Count, max id and max `updatedAt` catch rows written straight to
   * the table (with millisecond resolution only).
   */
  async stamp(): Promise<string> {
    const [agg, version] = await Promise.all([
      this.db.loginRule.aggregate({ _count: { _all: true }, _max: { updatedAt: true, id: true } }),
      this.db.loginRuleVersion ? this.db.loginRuleVersion.findUnique({ where: { id: VERSION_ROW } }) : Promise.resolve(null),
    ]);
    const max = agg._max ?? {};
    const updatedAt = max.updatedAt instanceof Date ? max.updatedAt.getTime() : String(max.updatedAt);
    return `${String(version?.version ?? 0)}:${String(agg._count?._all)}:${String(max.id)}:${updatedAt}`;
  }

  create(data: LoginRuleData, jitGroups: readonly string[]): Promise<LoginRuleRow> {
    return this.versionedWrite((db) => db.loginRule.create({ data: { ...data, jitGroups: { connect: byName(jitGroups) } } }));
  }

  update(id: number, data: LoginRuleData, jitGroups: readonly string[]): Promise<LoginRuleRow> {
    return this.versionedWrite((db) => db.loginRule.update({ where: { id }, data: { ...data, jitGroups: { set: byName(jitGroups) } } }));
  }

  async delete(id: number): Promise<void> {
    await this.versionedWrite((db) => db.loginRule.delete({ where: { id } }));
  }

  /** Runs a rule write and bumps the version row in one transaction: no reader sees one without the other. */
  private versionedWrite<T>(write: (db: Db) => Promise<T>): Promise<T> {
    if (!this.versioned) return write(this.db);
    return this.db.$transaction(async (tx) => {
      const result = await write(tx);
      await bumpRuleVersion(tx);
      return result;
    });
  }

  clashing(name: string, priority: number, exceptId?: number): Promise<LoginRuleRow[]> {
    return this.db.loginRule.findMany({ where: { OR: [{ name }, { priority }], ...(exceptId === undefined ? {} : { NOT: { id: exceptId } }) } });
  }

  async missingGroups(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const found = await this.db.group.findMany({ where: { name: { in: [...names] } } });
    return names.filter((n) => !found.some((g) => g.name === n));
  }

  async seed(rule: Pick<LoginRuleData, 'name' | 'method' | 'priority' | 'emailRegex'>): Promise<void> {
    await this.db.loginRule.upsert({ where: { name: rule.name }, create: { ...rule }, update: {} });
  }

  dataModel(): DataModel | null {
    return dataModelOf(this.prisma);
  }
}
