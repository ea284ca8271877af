// What the host's Prisma models look like, as far as saved attributes need it: which fields exist, which are
// relations and of what kind, and how a rendered (string) value becomes a value of the field's type. The metadata
// is the generated client's runtime data model (`_runtimeDataModel.models`), passed in as plain data. Pure.

export interface ModelField {
  name: string;
  kind: string; // 'scalar' | 'object' | 'enum' | 'unsupported'
  type: string;
}

export interface DataModel {
  models: Readonly<Record<string, { fields: readonly ModelField[] }>>;
}

export type RelationKind = 'manyToOne' | 'oneToOne' | 'oneToMany';

export interface Relation {
  field: string;
  model: string;
  kind: RelationKind;
}

export const USER_MODEL = 'User';

/** User fields the library owns: saved attributes never write them. */
export const PROTECTED_USER_FIELDS: ReadonlySet<string> = new Set(['id', 'passwordHash', 'sessionVersion', 'lastLogin', 'createdAt']);

/** User relations the library owns (groups come from the rule's JIT groups, identities from the login). */
export const LIBRARY_RELATIONS: ReadonlySet<string> = new Set(['groups', 'mfaFactors', 'recoveryCodes', 'ssoIdentities', 'passwordResetTokens', 'magicLinkTokens']);

export function fieldsOf(dm: DataModel, model: string): readonly ModelField[] | null {
  return dm.models[model]?.fields ?? null;
}

export function fieldOf(dm: DataModel, model: string, name: string): ModelField | null {
  return fieldsOf(dm, model)?.find((f) => f.name === name) ?? null;
}

/**
 * A relation of `model`: many-to-one when `model` has a scalar `<name>Id` (the foreign key lives here), else
 * one-to-many for a list value and one-to-one for an object value. (The runtime data model has no `isList`.)
 */
export function relationOf(dm: DataModel, model: string, name: string, value: unknown): Relation | null {
  const field = fieldOf(dm, model, name);
  if (!field || field.kind !== 'object') return null;
  const fk = fieldOf(dm, model, `${name}Id`);
  if (fk && fk.kind === 'scalar') return { field: name, model: field.type, kind: 'manyToOne' };
  return { field: name, model: field.type, kind: Array.isArray(value) ? 'oneToMany' : 'oneToOne' };
}

/** Scalar (or enum) fields of `model` a saved attribute may write; the relation's own keys are excluded. */
export function writableScalar(dm: DataModel, model: string, name: string): ModelField | null {
  const field = fieldOf(dm, model, name);
  if (!field || (field.kind !== 'scalar' && field.kind !== 'enum')) return null;
  if (name === 'id') return null;
  if (model === USER_MODEL && PROTECTED_USER_FIELDS.has(name)) return null;
  // A foreign key that belongs to a relation (User.locationId, Profile.userId) is set by the nested write or by
  // linking (`~rel`), never by number.
  const base = name.endsWith('Id') ? name.slice(0, -2) : null;
  if (base && fieldOf(dm, model, base)?.kind === 'object') return null;
  return field;
}

export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Converts a saved-attribute value (a rendered string, or a JSON literal) to the field's type. An empty string for
 * a non-text field means "no value" (`skip`), so a missing profile attribute leaves the column alone.
 */
export function coerce(field: ModelField, value: unknown): Coerced | { ok: true; skip: true } {
  if (value === null) return { ok: true, value: null };
  const text = typeof value === 'string' ? value.trim() : null;
  if (field.kind === 'enum') return typeof value === 'string' && value !== '' ? { ok: true, value } : { ok: true, skip: true };
  switch (field.type) {
    case 'String':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, reason: 'expected text' };
    case 'Boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'number' && (value === 0 || value === 1)) return { ok: true, value: value === 1 };
      if (text === '') return { ok: true, skip: true };
      if (text !== null && TRUE.has(text.toLowerCase())) return { ok: true, value: true };
      if (text !== null && FALSE.has(text.toLowerCase())) return { ok: true, value: false };
      return { ok: false, reason: 'expected true/false, yes/no or 1/0' };
    case 'Int':
    case 'BigInt': {
      if (text === '') return { ok: true, skip: true };
      const n = typeof value === 'number' ? value : text !== null && /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) return { ok: false, reason: 'expected a whole number' };
      if (field.type === 'Int' && (n > 2_147_483_647 || n < -2_147_483_648)) return { ok: false, reason: 'number out of range' };
      return { ok: true, value: field.type === 'BigInt' ? BigInt(n) : n };
    }
    case 'Float':
    case 'Decimal': {
      if (text === '') return { ok: true, skip: true };
      const n = typeof value === 'number' ? value : text !== null && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(n)) return { ok: false, reason: 'expected a number' };
      return { ok: true, value: n };
    }
    case 'DateTime': {
      if (text === '') return { ok: true, skip: true };
      const d = typeof value === 'number' ? new Date(value) : text !== null ? new Date(text) : new Date(NaN);
      if (Number.isNaN(d.getTime())) return { ok: false, reason: 'expected a date (ISO 8601)' };
      return { ok: true, value: d };
    }
    case 'Json':
      return { ok: true, value };
    default:
      return { ok: false, reason: `fields of type ${field.type} cannot be set from saved attributes` };
  }
}

/** Prisma's delegate name for a model (`EmailAddress` → `emailAddress`). */
export function delegateName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}
