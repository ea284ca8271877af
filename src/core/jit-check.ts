// Checks of a rule's saved attributes, run when the rule is saved: shape and templates (always), and fields against
// the host's models (when the Prisma client exposes them). Pure: no Express, no Prisma.
import { coerce, LIBRARY_RELATIONS, relationOf, USER_MODEL, writableScalar, type DataModel, type ModelField } from './jit-model.ts';
import { checkTemplate, FORBIDDEN_KEYS, isTemplate } from './jit-template.ts';

export interface AttributeIssue {
  /** Relative to the saved attributes: `profile.title`, `~location.locationId`, `emailAddresses.0.address`. */
  path: string;
  message: string;
}

export type Scalar = string | number | boolean | null;

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const isScalar = (v: unknown): v is Scalar => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export interface ParsedKey {
  name: string;
  link: '~' | '!' | null;
}

export function parseKey(key: string): ParsedKey {
  const link = key.startsWith('~') ? '~' : key.startsWith('!') ? '!' : null;
  return { name: link ? key.slice(1) : key, link };
}

/** Shape and templates (no models needed): run by the rule validator, so a bad template is refused on save. */
export function checkSavedAttributes(saved: Readonly<Record<string, unknown>>): AttributeIssue[] {
  const issues: AttributeIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const checkValue = (path: string, value: unknown) => {
    if (!isScalar(value)) return add(path, 'expected text, a number, true/false or null');
    if (typeof value === 'string') {
      const check = checkTemplate(value);
      if (!check.ok) add(path, `template ${check.reason}`);
    }
  };
  const checkRecord = (path: string, record: unknown, what: string) => {
    if (!isObject(record)) return add(path, `expected ${what}`);
    if (Object.keys(record).length === 0) return add(path, `expected ${what} with at least one field`);
    for (const [field, value] of Object.entries(record)) {
      const at = `${path}.${field}`;
      if (FORBIDDEN_KEYS.has(field)) continue; // reported by the rule's JSON check, at any depth
      if (!IDENTIFIER.test(field)) add(at, `"${field}" is not a field name`);
      else if (isObject(value) || Array.isArray(value)) add(at, 'related records are written one level deep only');
      else checkValue(at, value);
    }
  };
  for (const [key, value] of Object.entries(saved)) {
    const { name, link } = parseKey(key);
    if (FORBIDDEN_KEYS.has(key)) continue; // reported by the rule's JSON check
    if (FORBIDDEN_KEYS.has(name) || !IDENTIFIER.test(name)) {
      add(key, `"${key}" is not a field name (use a field, a relation, ~relation or !relation)`);
      continue;
    }
    if (link) {
      if (saved[`${link === '~' ? '!' : '~'}${name}`] !== undefined) add(key, `give ~${name} or !${name}, not both`);
      checkRecord(key, value, 'an object of lookup fields, e.g. {"locationId": "{{profile.raw_attributes.location}}"}');
    } else if (name === 'username') {
      if (typeof value !== 'string') add(key, 'expected a template such as "{{profile.email}}"');
      else checkValue(key, value);
    } else if (Array.isArray(value)) {
      if (value.length === 0) add(key, 'expected a list of objects');
      value.forEach((item, i) => checkRecord(`${key}.${i}`, item, 'an object'));
    } else if (isObject(value)) {
      checkRecord(key, value, 'an object');
    } else {
      checkValue(key, value);
    }
  }
  return issues;
}

/** Fields against the host's models (run when a rule is saved, if the Prisma client exposes its data model). */
export function checkSavedAttributesModel(saved: Readonly<Record<string, unknown>>, dm: DataModel): AttributeIssue[] {
  const issues: AttributeIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const checkFields = (path: string, model: string, record: unknown) => {
    if (!isObject(record)) return;
    for (const [field, value] of Object.entries(record)) {
      const target = writableScalar(dm, model, field);
      if (!target) add(`${path}.${field}`, `${model} has no field "${field}" that saved attributes may write`);
      else checkLiteral(`${path}.${field}`, target, value);
    }
  };
  const checkLiteral = (path: string, field: ModelField, value: unknown) => {
    if (isTemplate(value)) return;
    const result = coerce(field, value);
    if (!result.ok) add(path, `${result.reason} for ${field.type} field "${field.name}"`);
  };
  for (const [key, value] of Object.entries(saved)) {
    const { name, link } = parseKey(key);
    if (!IDENTIFIER.test(name) || FORBIDDEN_KEYS.has(name)) continue; // reported by checkSavedAttributes
    if (!link && (isScalar(value) || name === 'username')) {
      const field = writableScalar(dm, USER_MODEL, name);
      if (!field) add(key, `User has no field "${name}" that saved attributes may write`);
      else checkLiteral(key, field, value);
      continue;
    }
    const relation = relationOf(dm, USER_MODEL, name, value);
    if (!relation || LIBRARY_RELATIONS.has(name)) {
      add(key, `User has no relation "${name}" that saved attributes may write`);
      continue;
    }
    if (link && relation.kind !== 'manyToOne') {
      add(key, `${link}${name} links a record many users share (a foreign key such as ${name}Id on User); "${name}" is not one`);
      continue;
    }
    if (Array.isArray(value)) {
      if (relation.kind !== 'oneToMany') add(key, `"${name}" holds one record: give an object, not a list`);
      else value.forEach((item, i) => checkFields(`${key}.${i}`, relation.model, item));
      continue;
    }
    checkFields(key, relation.model, value);
  }
  return issues;
}

