// Evaluates a lookup-attribute rule's Prisma `where` against a user row already in memory, for the subset of
// filters whose SQL meaning is unambiguous (equality, null, in/notIn, numeric comparisons, AND/OR/NOT, and relation
// filters some/every/none/is over rows of scalars). A login then answers its lookup rules from one read of the user
// (plus one read of the relations the filters name) instead of one `count` query per rule. Anything outside the
// subset answers `unsupported`, and the caller asks the database for that rule alone.
//
// SQL's three-valued logic is kept: a comparison with NULL is unknown, NOT unknown is unknown, and a row matches only
// when its filter is true (so `{ title: { not: 'x' } }` does not match a null title, as in the database).

/** `true`, `false`, or SQL's unknown (`null`). */
type Truth = boolean | null;

/** A filter outside the supported subset: the caller asks the database instead. */
export class UnsupportedFilter extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnsupportedFilter';
  }
}

/** Where a field's value comes from: the row itself, or a relation loaded on demand. */
export interface WhereRow {
  readonly [field: string]: unknown;
}

const SCALAR_OPS = new Set(['equals', 'not', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const isSimple = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

const not = (t: Truth): Truth => (t === null ? null : !t);
function and(ts: Truth[]): Truth {
  if (ts.includes(false)) return false;
  return ts.includes(null) ? null : true;
}
function or(ts: Truth[]): Truth {
  if (ts.includes(true)) return true;
  return ts.includes(null) ? null : false;
}

/**
 * The relation and field names a filter reads at the top level of the user (AND/OR/NOT looked through). The
 * caller loads the ones missing from the row it has.
 */
export function filterFields(where: Readonly<Record<string, unknown>>): Set<string> {
  const out = new Set<string>();
  const visit = (w: unknown): void => {
    if (Array.isArray(w)) return w.forEach(visit);
    if (!isPlainObject(w)) return;
    for (const [k, v] of Object.entries(w)) {
      if (k === 'AND' || k === 'OR' || k === 'NOT') visit(v);
      else out.add(k);
    }
  };
  visit(where);
  return out;
}

/**
 * How the filter addresses each of `relations` it names at the top level of the user: as a list (some/every/none)
 * or as a single row (is/isNot, its fields, or null). The database accepted the shape when the rule was saved, so
 * it tells a list relation from a single one (which the client's runtime model does not). A relation addressed
 * both ways, or in a shape that says neither, maps to null.
 */
export function relationShapes(where: Readonly<Record<string, unknown>>, relations: ReadonlySet<string>, into = new Map<string, 'many' | 'one' | null>()): Map<string, 'many' | 'one' | null> {
  const note = (field: string, kind: 'many' | 'one' | null) => into.set(field, into.has(field) && into.get(field) !== kind ? null : kind);
  const visit = (w: unknown): void => {
    if (Array.isArray(w)) return w.forEach(visit);
    if (!isPlainObject(w)) return;
    for (const [k, v] of Object.entries(w)) {
      if (k === 'AND' || k === 'OR' || k === 'NOT') visit(v);
      else if (relations.has(k)) {
        const keys = isPlainObject(v) ? Object.keys(v) : [];
        if (v === null) note(k, 'one');
        else if (!isPlainObject(v) || keys.length === 0) note(k, null);
        else if (keys.every((op) => op === 'some' || op === 'every' || op === 'none')) note(k, 'many');
        else if (keys.some((op) => op === 'some' || op === 'every' || op === 'none')) note(k, null);
        else note(k, 'one');
      }
    }
  };
  visit(where);
  return into;
}

/**
 * Whether `row` matches `where`. `row` holds the user's scalar fields and any relation the filter names
 * (to-many relations as arrays of rows, to-one relations as a row or null); `relations` names the user's relation
 * fields when the data model is known (else a null field given a relation-shaped filter is refused). Throws `UnsupportedFilter` for a
 * filter outside the subset, or a field the row does not hold.
 */
export function matchesInMemory(row: WhereRow, where: Readonly<Record<string, unknown>>, relations?: ReadonlySet<string>): boolean {
  return evalWhere(row, where, 0, relations) === true;
}

function evalWhere(row: WhereRow, where: unknown, depth: number, relations?: ReadonlySet<string>): Truth {
  if (!isPlainObject(where)) throw new UnsupportedFilter('a filter that is not an object');
  const parts: Truth[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === 'AND') parts.push(and(list(value).map((w) => evalWhere(row, w, depth, relations))));
    else if (key === 'OR') {
      if (!Array.isArray(value)) throw new UnsupportedFilter('OR that is not a list');
      parts.push(or(value.map((w) => evalWhere(row, w, depth, relations))));
    } else if (key === 'NOT') parts.push(and(list(value).map((w) => not(evalWhere(row, w, depth, relations)))));
    else parts.push(evalField(row, key, value, depth, relations));
  }
  return and(parts);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function evalField(row: WhereRow, key: string, filter: unknown, depth: number, relations?: ReadonlySet<string>): Truth {
  if (!Object.prototype.hasOwnProperty.call(row, key)) throw new UnsupportedFilter(`field "${key}" is not loaded`);
  const value = row[key];
  const relation = relations ? relations.has(key) : Array.isArray(value) || isPlainObject(value) ? true : value === null && isPlainObject(filter) && !Object.keys(filter).some((k) => SCALAR_OPS.has(k)) ? unsupported('a null field given a relation filter') : false;
  if (!relation) return evalScalar(value, filter);
  if (Array.isArray(value)) {
    // Rows read from the related model's side come as a list either way; the filter's shape, which the database
    // accepted when the rule was saved, says whether the relation is a list (some/every/none) or a single row.
    const listFilter = isPlainObject(filter) && Object.keys(filter).length > 0 && Object.keys(filter).every((k) => k === 'some' || k === 'every' || k === 'none');
    if (listFilter) return evalToMany(value, filter, depth);
    if (value.length > 1) throw new UnsupportedFilter(`relation "${key}" read as several rows but filtered as one`);
    const only = value[0] ?? null;
    return evalToOne(isPlainObject(only) ? only : null, filter, depth);
  }
  if (value === null || isPlainObject(value)) return evalToOne(value, filter, depth);
  throw new UnsupportedFilter(`relation "${key}" not loaded as rows`);
}

function evalToMany(rows: unknown[], filter: unknown, depth: number): Truth {
  if (depth > 0) throw new UnsupportedFilter('a relation filter inside a relation filter');
  if (!isPlainObject(filter)) throw new UnsupportedFilter('a list field compared as a scalar');
  const results: Truth[] = [];
  for (const [op, inner] of Object.entries(filter)) {
    const each = () => rows.map((r) => (isPlainObject(r) ? evalWhere(r, inner, depth + 1) : unsupported('a scalar list')));
    // As the database does: some = EXISTS(cond), every = NOT EXISTS(NOT cond), none = NOT EXISTS(cond).
    if (op === 'some') results.push(each().some((t) => t === true));
    else if (op === 'every') results.push(each().every((t) => t !== false));
    else if (op === 'none') results.push(each().every((t) => t !== true));
    else throw new UnsupportedFilter(`list operator "${op}"`);
  }
  return and(results);
}

function evalToOne(related: Record<string, unknown> | null, filter: unknown, depth: number): Truth {
  if (depth > 0) throw new UnsupportedFilter('a relation filter inside a relation filter');
  if (filter === null) return related === null;
  if (!isPlainObject(filter)) throw new UnsupportedFilter('a relation compared as a scalar');
  const keys = Object.keys(filter);
  if (keys.length === 1 && keys[0] === 'is') {
    if (filter.is === null) return related === null;
    return related === null ? false : evalWhere(related, filter.is, depth + 1);
  }
  if (keys.includes('is') || keys.includes('isNot')) throw new UnsupportedFilter('isNot on a relation');
  return related === null ? false : evalWhere(related, filter, depth + 1);
}

function unsupported(reason: string): never {
  throw new UnsupportedFilter(reason);
}

function evalScalar(value: unknown, filter: unknown): Truth {
  if (value !== null && !isSimple(value)) throw new UnsupportedFilter('a field of a type compared only by the database (dates, decimals, JSON, bytes)');
  if (filter === null || isSimple(filter)) return equals(value, filter);
  if (!isPlainObject(filter)) throw new UnsupportedFilter('a list compared to a scalar');
  const parts: Truth[] = [];
  for (const [op, operand] of Object.entries(filter)) {
    if (operand === undefined) continue;
    switch (op) {
      case 'equals':
        parts.push(equals(value, operand));
        break;
      case 'not':
        parts.push(isPlainObject(operand) ? not(evalScalar(value, operand)) : not(equals(value, operand)));
        break;
      case 'in':
      case 'notIn': {
        if (!Array.isArray(operand) || !operand.every(isSimple)) throw new UnsupportedFilter(`${op} with a non-scalar list`);
        const found: Truth = value === null ? null : operand.some((o) => o === value);
        parts.push(op === 'in' ? found : operand.length === 0 ? true : not(found));
        break;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        // Strings sort by the database's collation, which this cannot know: numbers only.
        if (typeof operand !== 'number' || (value !== null && typeof value !== 'number')) throw new UnsupportedFilter(`${op} on a non-number`);
        parts.push(value === null ? null : compare(value as number, op, operand));
        break;
      default:
        throw new UnsupportedFilter(`operator "${op}"`);
    }
  }
  return and(parts);
}

function equals(value: unknown, operand: unknown): Truth {
  if (operand === null) return value === null;
  if (!isSimple(operand)) throw new UnsupportedFilter('equality with a non-scalar');
  if (value === null) return null;
  if (typeof value !== typeof operand) throw new UnsupportedFilter('a value of another type than the field');
  return value === operand;
}

function compare(value: number, op: 'lt' | 'lte' | 'gt' | 'gte', operand: number): boolean {
  if (op === 'lt') return value < operand;
  if (op === 'lte') return value <= operand;
  if (op === 'gt') return value > operand;
  return value >= operand;
}
