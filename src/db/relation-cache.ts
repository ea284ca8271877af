// The relation rows a user's lookup rules read (their groups, a host's profile…), remembered per user so that the
// next login answers those rules from the user read alone. A remembered row is never trusted: the next read of the
// user asks the database, in the same statement, whether the relation still holds exactly those rows (same count,
// same values), and forgets them when it does not. A group change between two steps of a login, or between two
// logins, is therefore always seen; the cache only saves the second statement when nothing changed.
import type { UserId } from '../user-types.ts';

/** How the rule filters address a relation: a list (some/every/none) or a single row (is/isNot, or its fields). */
export type RelationKind = 'many' | 'one';

export interface RememberedRelation {
  readonly kind: RelationKind;
  /** The related rows as the lookup filters see them: only the fields checked on every read. */
  readonly rows: readonly Readonly<Record<string, string | number | boolean | null>>[];
}

interface Entry {
  readonly userId: UserId;
  readonly relations: ReadonlyMap<string, RememberedRelation>;
}

/** Beyond this many rows a relation is read fresh each time: the check would outweigh the statement it saves. */
export const MAX_REMEMBERED_ROWS = 32;
/** Users remembered per process; the oldest is forgotten first. */
export const MAX_REMEMBERED_USERS = 5000;

export class RelationCache {
  private readonly entries = new Map<string, Entry>();

  get(username: string): Entry | undefined {
    return this.entries.get(username);
  }

  set(username: string, entry: Entry): void {
    this.entries.delete(username);
    if (entry.relations.size === 0) return;
    this.entries.set(username, entry);
    if (this.entries.size > MAX_REMEMBERED_USERS) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(username: string): void {
    this.entries.delete(username);
  }

  /**
   * A `where` that holds only while each remembered relation has exactly the remembered rows: a list relation
   * has every row among them (nothing added or changed) and each of them (nothing removed); a single relation is
   * that row (or still none).
   */
  static check(relations: ReadonlyMap<string, RememberedRelation>): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const [field, { kind, rows }] of relations) {
      if (kind === 'one') {
        out.push({ [field]: { is: rows[0] ?? null } });
        continue;
      }
      out.push({ [field]: { every: { OR: rows.map((r) => ({ ...r })) } } });
      for (const r of rows) out.push({ [field]: { some: { ...r } } });
    }
    return out;
  }
}
