// Just-in-time provisioning, the pure part: planning what to write for a WorkOS profile from a rule's saved
// attributes (the checks run when a rule is saved live in jit-check.ts). The plan is plain data;
// the JIT writer of src/db/jit.ts applies it in one transaction. No Express, no Prisma.
//
// Saved attributes (JSON): `field: value` sets a user field; `rel: {…}` writes a 1-1 record or creates a
// many-to-one one; `~rel: {lookup}` links an existing many-to-one record (unset if none, or created with the
// lookup and the plain `rel` data when both are given); `!rel: {lookup}` refuses the user if none exists;
// `rel: [{…}, …]` creates one-to-many records. Every string is a template with `profile` in context.
import { IDENTIFIER, isObject, isScalar, parseKey } from './jit-check.ts';
import { coerce, LIBRARY_RELATIONS, relationOf, USER_MODEL, writableScalar, type DataModel } from './jit-model.ts';
import { FORBIDDEN_KEYS, isTemplate, renderTemplate } from './jit-template.ts';

export { checkSavedAttributes, checkSavedAttributesModel, type AttributeIssue } from './jit-check.ts';

export type JitUsername = 'email' | 'idp_id' | 'id';

/** The WorkOS profile as templates see it: snake_case keys, as in the WorkOS docs and django-workos. */
export interface JitProfile {
  id: string;
  idp_id: string;
  organization_id: string | null;
  connection_id: string;
  connection_type: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  raw_attributes: Record<string, unknown>;
  custom_attributes: Record<string, unknown>;
  groups: string[];
  role: { slug: string } | null;
  roles: { slug: string }[];
}

/** A many-to-one relation: link the record found by `lookup`, or create one from `data` (with the lookup). */
export interface LinkStep {
  field: string;
  model: string;
  /** Coerced lookup fields, or null for plain `rel: {…}` data (always a new record). */
  lookup: Record<string, unknown> | null;
  /** Coerced fields for a record that has to be created, or null (never create). */
  data: Record<string, unknown> | null;
  /** `!rel`: no record found means no user. */
  required: boolean;
}

export interface JitPlan {
  /** Scalar user fields, coerced (username only when creating). */
  user: Record<string, unknown>;
  oneToOne: { field: string; model: string; data: Record<string, unknown> }[];
  links: LinkStep[];
  lists: { field: string; model: string; items: Record<string, unknown>[] }[];
  /** Values that were skipped (unknown field, impossible conversion): for the log. */
  warnings: string[];
}

export interface PlanInput {
  saved: Readonly<Record<string, unknown>>;
  profile: JitProfile;
  dataModel: DataModel;
  jitUsername: JitUsername;
  /**
   * `create`: everything, for a new user. `update` (auto update at each login): first/last name and email from the
   * profile, every templated value, and the `~`/`!` links re-evaluated; literal values are written at creation only,
   * so an administrator's later change sticks; the username never changes.
   */
  mode: 'create' | 'update';
}

export type PlanResult = { ok: true; plan: JitPlan } | { ok: false; reason: string };

export function usernameFor(profile: JitProfile, format: JitUsername): string {
  return (format === 'idp_id' ? profile.idp_id : format === 'id' ? profile.id : profile.email).trim();
}

export function planJit(input: PlanInput): PlanResult {
  const { saved, profile, dataModel: dm, mode } = input;
  const plan: JitPlan = { user: {}, oneToOne: [], links: [], lists: [], warnings: [] };
  const updating = mode === 'update';
  const render = (value: unknown): unknown => (typeof value === 'string' ? renderTemplate(value, profile as unknown as Record<string, unknown>) : value);
  const wanted = (value: unknown) => !updating || isTemplate(value);

  /** Renders and coerces a record's fields for `model`; unknown fields and impossible values become warnings. */
  const record = (path: string, model: string, source: unknown, onlyTemplates: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (!isObject(source)) {
      plan.warnings.push(`${path}: expected an object; skipped`);
      return out;
    }
    for (const [name, raw] of Object.entries(source)) {
      if (onlyTemplates && !isTemplate(raw)) continue;
      const field = writableScalar(dm, model, name);
      if (!field || !isScalar(raw)) {
        plan.warnings.push(`${path}.${name}: ${model} has no writable field "${name}"; skipped`);
        continue;
      }
      const result = coerce(field, render(raw));
      if (!result.ok) plan.warnings.push(`${path}.${name}: ${result.reason}; skipped`);
      else if (!('skip' in result)) out[name] = result.value;
    }
    return out;
  };

  try {
    if (!updating) {
      plan.user.username = usernameFor(profile, input.jitUsername);
      plan.user.email = profile.email;
      plan.user.firstName = profile.first_name ?? '';
      plan.user.lastName = profile.last_name ?? '';
    } else {
      plan.user.email = profile.email;
      if (profile.first_name !== null) plan.user.firstName = profile.first_name;
      if (profile.last_name !== null) plan.user.lastName = profile.last_name;
    }

    const links = new Map<string, { lookupKey?: string; lookup?: unknown; required: boolean; data?: unknown }>();
    for (const [key, value] of Object.entries(saved)) {
      const { name, link } = parseKey(key);
      if (FORBIDDEN_KEYS.has(name) || !IDENTIFIER.test(name)) {
        plan.warnings.push(`${key}: not a field name; skipped`);
        continue;
      }
      if (link) {
        links.set(name, { ...links.get(name), lookupKey: key, lookup: value, required: link === '!' });
        continue;
      }
      if (name === 'username') {
        if (updating) continue;
        const rendered = typeof value === 'string' ? String(render(value)).trim() : '';
        if (rendered) plan.user.username = rendered;
        else plan.warnings.push(`username: the template rendered nothing; using the ${input.jitUsername} instead`);
        continue;
      }
      if (isScalar(value)) {
        if (!wanted(value)) continue;
        const field = writableScalar(dm, USER_MODEL, name);
        if (!field) {
          plan.warnings.push(`${key}: User has no writable field "${name}"; skipped`);
          continue;
        }
        const result = coerce(field, render(value));
        if (!result.ok) plan.warnings.push(`${key}: ${result.reason}; skipped`);
        else if (!('skip' in result)) plan.user[name] = result.value;
        continue;
      }
      const relation = LIBRARY_RELATIONS.has(name) ? null : relationOf(dm, USER_MODEL, name, value);
      if (!relation) {
        plan.warnings.push(`${key}: User has no writable relation "${name}"; skipped`);
        continue;
      }
      if (relation.kind === 'manyToOne') {
        if (Array.isArray(value)) plan.warnings.push(`${key}: "${name}" holds one record, not a list; skipped`);
        else links.set(name, { required: false, ...links.get(name), data: value });
      } else if (relation.kind === 'oneToOne') {
        if (updating && !Object.values(isObject(value) ? value : {}).some(isTemplate)) continue;
        const data = record(key, relation.model, value, updating);
        if (Object.keys(data).length > 0 || !updating) plan.oneToOne.push({ field: name, model: relation.model, data });
      } else {
        const items = Array.isArray(value) ? value : [];
        if (updating && !items.some((item) => isObject(item) && Object.values(item).some(isTemplate))) continue;
        const rows: Record<string, unknown>[] = [];
        items.forEach((item, i) => {
          const row = record(`${key}.${i}`, relation.model, item, false);
          // A row whose templated fields all rendered nothing (a missing attribute) is not written.
          const templated = isObject(item) ? Object.keys(item).filter((k) => isTemplate(item[k])) : [];
          if (templated.length > 0 && templated.every((k) => row[k] === undefined || row[k] === '' || row[k] === null)) {
            plan.warnings.push(`${key}.${i}: rendered no value; not written`);
          } else if (Object.keys(row).length > 0) rows.push(row);
        });
        plan.lists.push({ field: name, model: relation.model, items: rows });
      }
    }

    for (const [name, spec] of links) {
      const relation = relationOf(dm, USER_MODEL, name, spec.lookup ?? spec.data);
      if (!relation || relation.kind !== 'manyToOne' || LIBRARY_RELATIONS.has(name)) {
        plan.warnings.push(`${spec.lookupKey ?? name}: "${name}" is not a many-to-one relation of User; skipped`);
        continue;
      }
      const data = spec.data === undefined ? null : record(name, relation.model, spec.data, false);
      if (spec.lookupKey === undefined) {
        // Plain `rel: {…}`: a new record at creation. It may be shared later, so auto update never rewrites it.
        if (!updating && data) plan.links.push({ field: name, model: relation.model, lookup: null, data, required: false });
        continue;
      }
      const lookup = record(spec.lookupKey, relation.model, spec.lookup, false);
      const empty = Object.keys(lookup).length === 0 || Object.values(lookup).every((v) => v === '' || v === null);
      if (empty) {
        // A missing profile attribute must not match (or create) a record keyed by an empty value.
        if (spec.required) return { ok: false, reason: `${spec.lookupKey}: the lookup rendered no value` };
        plan.warnings.push(`${spec.lookupKey}: the lookup rendered no value; not linked`);
        continue;
      }
      plan.links.push({ field: name, model: relation.model, lookup, data: data && Object.keys(data).length > 0 ? data : null, required: spec.required });
    }
  } catch (err) {
    // Only a rule written around the validator can hold a refused template: refuse the login, never render it.
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, plan };
}
