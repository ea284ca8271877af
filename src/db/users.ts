// Users as the login flows need them. The login lookups honour the active-user filter and read the user's MFA and
// SSO facts in the same query, so a login asks the database for them once.
import type { ResolvedConfig } from '../config.ts';
import { USER_MODEL } from '../core/jit-model.ts';
import { isValidationError } from './errors.ts';
import { dataModelOf } from './model.ts';
import type { UserStore } from './ports.ts';
import { MAX_REMEMBERED_ROWS, RelationCache, type RelationKind, type RememberedRelation } from './relation-cache.ts';
import { asDb, supportsInsensitiveMode, type Db, type PrismaLike, type UserFacts, type UserRow } from './types.ts';
import type { UserId } from '../user-types.ts';

/**
 * Relation counts behind `facts` (relation names from prisma/workos-login.prisma), for the users `who` picks out.
 * Prisma counts a relation in a grouped subquery joined to the user row; unfiltered, that subquery counts the
 * whole MfaFactor and SsoIdentity tables at every login (12 ms instead of 1 ms on PostgreSQL with 20,000 factors),
 * so it is narrowed to the rows of the users the outer query reads, through their indexes.
 */
function factsOf(who: { id: UserId } | { user: Record<string, unknown> }) {
  const counted = { where: 'id' in who ? { userId: who.id } : who };
  return { _count: { select: { mfaFactors: counted, ssoIdentities: counted } } };
}

type CountedRow = UserRow & { _count?: { mfaFactors?: number; ssoIdentities?: number } };

/** The row as callers see it: the counts become `facts` (and `_count` never reaches a host or a template). */
function withFacts(row: CountedRow | null): UserRow | null {
  if (!row) return null;
  const { _count: counts, ...user } = row;
  return { ...user, facts: { hasMfa: (counts?.mfaFactors ?? 0) > 0, hasSso: (counts?.ssoIdentities ?? 0) > 0 } };
}

/** The row's values of `fields`, or null when one is missing or of a type the check cannot compare exactly. */
function project(row: unknown, fields: readonly string[]): Record<string, string | number | boolean | null> | null {
  if (!row || typeof row !== 'object') return null;
  const out: Record<string, string | number | boolean | null> = {};
  for (const f of fields) {
    const v = (row as Record<string, unknown>)[f];
    if (!(v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isSafeInteger(v)))) return null;
    out[f] = v;
  }
  return out;
}

export type UserLookupConfig = Pick<ResolvedConfig, 'usernameLookup' | 'emailLookup' | 'activeUserFilter'>;

export class UserRepository implements UserStore {
  private readonly db: Db;
  private readonly insensitive: boolean;
  private relations: ReadonlySet<string> | null | undefined;
  private readonly remembered = new RelationCache();
  /** The checked relation rows that came with a user row from `findForLogin`, for its lookup rules. */
  private readonly preloaded = new WeakMap<object, ReadonlyMap<string, RememberedRelation>>();

  constructor(
    private readonly prisma: PrismaLike,
    private readonly config: UserLookupConfig,
  ) {
    this.db = asDb(prisma);
    this.insensitive = supportsInsensitiveMode(prisma);
  }

  private active(where: Record<string, unknown>): Record<string, unknown> {
    return { AND: [where, this.config.activeUserFilter] };
  }

  async findForLogin(typed: string): Promise<UserRow | null> {
    if (!typed) return null;
    if (this.config.usernameLookup) {
      const user = (await this.findRemembered(typed)) ?? withFacts(await this.db.user.findFirst({ where: this.active({ username: typed }), include: factsOf({ user: { username: typed } }) }));
      if (user) return user;
    }
    if (this.config.emailLookup && typed.includes('@')) {
      const matches = await this.findActiveByEmail(typed, 2);
      if (matches.length === 1) return matches[0]!;
    }
    return null;
  }

  /**
   * The user by username with the relation rows remembered from an earlier login, in one statement that also
   * checks those rows are still exactly the user's: null (and forgotten) when there is no such user or anything
   * changed, and the caller reads afresh.
   */
  private async findRemembered(username: string): Promise<UserRow | null> {
    const entry = this.remembered.get(username);
    if (!entry) return null;
    const where = this.active({ AND: [{ username }, { id: entry.userId }, ...RelationCache.check(entry.relations)] });
    let row: CountedRow | null;
    try {
      row = await this.db.user.findFirst({ where, include: factsOf({ id: entry.userId }) });
    } catch (err) {
      // A relation or field the schema lost since: read as if nothing were remembered.
      if (!isValidationError(err)) throw err;
      row = null;
    }
    const user = withFacts(row);
    if (!user) {
      this.remembered.forget(username);
      return null;
    }
    this.preloaded.set(user, entry.relations);
    return user;
  }

  preloadedRelations(user: UserRow): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, { rows }] of this.preloaded.get(user) ?? []) out[field] = rows;
    return out;
  }

  rememberRelations(user: UserRow, rows: Readonly<Record<string, unknown>>, kinds: ReadonlyMap<string, RelationKind>): void {
    // Only a lookup by username checks remembered rows.
    if (!this.config.usernameLookup) return;
    const models = dataModelOf(this.prisma)?.models;
    const relations = new Map<string, RememberedRelation>();
    for (const [field, kind] of kinds) {
      const value = rows[field];
      const type = models?.[USER_MODEL]?.fields.find((f) => f.name === field && f.kind === 'object')?.type;
      // Only the fields the in-memory filters answer (strings, integers, booleans, enums) are kept and checked:
      // a filter on any other field asks the database itself.
      const fields = (type ? models?.[type]?.fields : undefined)?.filter((f) => f.kind === 'enum' || (f.kind === 'scalar' && ['String', 'Int', 'Boolean'].includes(f.type))).map((f) => f.name);
      if (!fields?.length || !Array.isArray(value) || value.length > MAX_REMEMBERED_ROWS || (kind === 'one' && value.length > 1)) continue;
      const kept = value.map((r) => project(r, fields));
      if (kept.some((r) => r === null)) continue;
      relations.set(field, { kind, rows: kept as RememberedRelation['rows'] });
    }
    this.remembered.set(user.username, { userId: user.id, relations });
  }

  findActiveByEmail(email: string, take = 50): Promise<UserRow[]> {
    return this.byEmail(email, take, true);
  }

  findAnyByEmail(email: string, take = 5): Promise<UserRow[]> {
    return this.byEmail(email, take, false);
  }

  /** The one case-insensitive email lookup. Active users come with their facts. */
  private async byEmail(email: string, take: number, activeOnly: boolean): Promise<UserRow[]> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) return [];
    const scope = (where: Record<string, unknown>) => (activeOnly ? this.active(where) : where);
    // SQLite: LIKE (behind `startsWith`/`endsWith`) ignores ASCII case; the exact comparison happens below.
    // Prefix AND suffix (not `contains`): other addresses merely containing this one (`x.bob@…` for `bob@…`)
    // must not fill the capped candidate list and hide the real owner(s).
    const byAddress = this.insensitive ? { email: { equals: wanted, mode: 'insensitive' } } : { AND: [{ email: { startsWith: wanted } }, { email: { endsWith: wanted } }] };
    const include = activeOnly ? { include: factsOf({ user: byAddress }) } : {};
    let rows: CountedRow[];
    if (this.insensitive) {
      rows = await this.db.user.findMany({ where: scope(byAddress), take, orderBy: { id: 'asc' }, ...include });
    } else {
      const candidates: CountedRow[] = await this.db.user.findMany({
        where: scope(byAddress),
        take: take * 4,
        orderBy: { id: 'asc' },
        ...include,
      });
      rows = candidates.filter((u) => u.email.trim().toLowerCase() === wanted).slice(0, take);
    }
    return activeOnly ? rows.map((r) => withFacts(r)!) : rows;
  }

  async findActiveById(id: UserId): Promise<UserRow | null> {
    return withFacts(await this.db.user.findFirst({ where: this.active({ id }), include: factsOf({ id }) }));
  }

  findSessionUser(id: UserId): Promise<UserRow | null> {
    return this.db.user.findFirst({ where: this.active({ id }) });
  }

  findById(id: UserId): Promise<UserRow | null> {
    return this.db.user.findUnique({ where: { id } });
  }

  async facts(user: Pick<UserRow, 'id' | 'facts'>): Promise<UserFacts> {
    if (user.facts) return user.facts;
    const [mfa, sso] = await Promise.all([
      this.db.mfaFactor.count({ where: { userId: user.id } }),
      this.db.ssoIdentity.count({ where: { userId: user.id } }),
    ]);
    return { hasMfa: mfa > 0, hasSso: sso > 0 };
  }

  async matchesWhere(userId: UserId, where: Readonly<Record<string, unknown>>): Promise<boolean> {
    return (await this.db.user.count({ where: { AND: [{ id: userId }, where] } })) > 0;
  }

  async readFields(userId: UserId, fields: readonly string[]): Promise<Record<string, unknown> | null> {
    const relations = this.relationFields();
    const scalars = fields.filter((f) => !relations?.has(f));
    const related = fields.filter((f) => relations?.has(f));
    // Each relation is read from its own model (one statement each); reading them through `user.findUnique`
    // would cost one more statement for the user row the caller already has.
    const [base, ...rows] = await Promise.all([
      scalars.length > 0 ? this.db.user.findUnique({ where: { id: userId }, select: Object.fromEntries(scalars.map((f) => [f, true])) }) : Promise.resolve({}),
      ...related.map((f) => this.relatedRows(userId, f)),
    ]);
    if (!base) return null;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    related.forEach((f, i) => {
      const value = rows[i];
      if (value !== undefined) out[f] = value;
    });
    return out;
  }

  /** The rows of one of the user's relations, read from the related model; undefined when the model cannot say how. */
  private async relatedRows(userId: UserId, field: string): Promise<unknown[] | undefined> {
    const models = dataModelOf(this.prisma)?.models;
    const relation = models?.[USER_MODEL]?.fields.find((f) => f.name === field) as { type: string; relationName?: string } | undefined;
    const back = relation && models?.[relation.type]?.fields.find((f) => (f as { relationName?: string }).relationName === relation.relationName && f.type === USER_MODEL && f.name !== field);
    const delegate = relation && (this.prisma as unknown as Record<string, { findMany?: (args: unknown) => Promise<unknown[]> } | undefined>)[relation.type.charAt(0).toLowerCase() + relation.type.slice(1)];
    if (!back || !delegate?.findMany) return undefined;
    // The back field is a list (`some`) or a single row (`is`); the client refuses the wrong one before sending it.
    try {
      return await delegate.findMany({ where: { [back.name]: { some: { id: userId } } } });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      return delegate.findMany({ where: { [back.name]: { is: { id: userId } } } });
    }
  }

  relationFields(): ReadonlySet<string> | null {
    if (this.relations === undefined) {
      const fields = dataModelOf(this.prisma)?.models[USER_MODEL]?.fields;
      this.relations = fields ? new Set(fields.filter((f) => f.kind === 'object').map((f) => f.name)) : null;
    }
    return this.relations;
  }

  async checkFilter(where: Readonly<Record<string, unknown>>): Promise<void> {
    await this.db.user.findFirst({ where, select: { id: true } });
  }

  async recordLogin(userId: UserId, passwordHash?: string): Promise<void> {
    // updateMany: no row comes back (update would read every column of it again with RETURNING).
    await this.db.user.updateMany({ where: { id: userId }, data: { lastLogin: new Date(), ...(passwordHash ? { passwordHash } : {}) } });
  }

  async setPassword(userId: UserId, passwordHash: string): Promise<UserRow> {
    return this.db.user.update({ where: { id: userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
  }

  async deactivate(userId: UserId): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { isActive: false, sessionVersion: { increment: 1 } } });
  }

  async endAllSessions(userId: UserId): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
  }
}
