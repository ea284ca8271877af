// LoginRule rows and the groups they connect. Validation and caching stay in src/rules/store.ts.
import type { DataModel } from '../core/jit-model.ts';
import { dataModelOf } from './model.ts';
import type { RuleRows } from './ports.ts';
import { asDb, type Db, type LoginRuleData, type LoginRuleRow, type PrismaLike } from './types.ts';

const byName = (names: readonly string[]) => names.map((name) => ({ name }));

export class RuleRepository implements RuleRows {
  private readonly db: Db;

  constructor(private readonly prisma: PrismaLike) {
    this.db = asDb(prisma);
  }

  list(): Promise<LoginRuleRow[]> {
    return this.db.loginRule.findMany({ include: { jitGroups: { select: { id: true, name: true } } }, orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
  }

  /** Prisma bumps `updatedAt` on every update; count and max id catch creates and deletes. */
  async stamp(): Promise<string> {
    const agg = await this.db.loginRule.aggregate({ _count: { _all: true }, _max: { updatedAt: true, id: true } });
    const max = agg._max ?? {};
    const updatedAt = max.updatedAt instanceof Date ? max.updatedAt.getTime() : String(max.updatedAt);
    return `${String(agg._count?._all)}:${String(max.id)}:${updatedAt}`;
  }

  create(data: LoginRuleData, jitGroups: readonly string[]): Promise<LoginRuleRow> {
    return this.db.loginRule.create({ data: { ...data, jitGroups: { connect: byName(jitGroups) } } });
  }

  update(id: number, data: LoginRuleData, jitGroups: readonly string[]): Promise<LoginRuleRow> {
    return this.db.loginRule.update({ where: { id }, data: { ...data, jitGroups: { set: byName(jitGroups) } } });
  }

  async delete(id: number): Promise<void> {
    await this.db.loginRule.delete({ where: { id } });
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
