// How the admin form and the CLI present rule fields: the input each field takes, its label, help and group. The
// shared fields are described here; a field a method module owns takes its label, help and group from that module's
// `ruleFields` declaration, and the methods allowed to set it from the catalog. Pure: no Express, no Prisma.
import { JIT_MODES, type RuleCatalog, type RuleFieldName } from './rules.ts';

/** The form's sections, in order (like the Django admin's fieldsets). */
export const RULE_FIELD_GROUPS = [
  { id: 'rule', title: 'Rule' },
  { id: 'who', title: 'Who it applies to' },
  { id: 'sso', title: 'SSO options' },
  { id: 'jit', title: 'Just-in-time accounts and saved attributes' },
  { id: 'mfa', title: 'MFA options' },
  { id: 'other', title: 'Other options' },
] as const;

export type RuleFieldGroup = (typeof RULE_FIELD_GROUPS)[number]['id'];

/**
 * How a field is typed: a text box, a whole number, a checkbox, a choice, a JSON object, a list of names, or a
 * yes / no / the method's default choice (`tristate`: null keeps the default, so it is not a checkbox).
 */
export type RuleFieldKind = 'text' | 'integer' | 'boolean' | 'choice' | 'json' | 'list' | 'tristate';

/** The input of every field of the rule schema (a field added there without one here does not compile). */
const KINDS = {
  name: 'text',
  method: 'choice',
  priority: 'integer',
  enabled: 'boolean',
  emailRegex: 'text',
  lookupAttributes: 'json',
  connectionId: 'text',
  organizationId: 'text',
  jitCreation: 'choice',
  jitGroups: 'list',
  savedAttributes: 'json',
  totpOrganizationName: 'text',
  allowIdpInitiated: 'boolean',
  linkExistingByEmail: 'tristate',
  directoryProvisioning: 'json',
} as const satisfies Record<RuleFieldName, RuleFieldKind>;

/** The field names in form order. */
export const RULE_FIELD_NAMES = Object.keys(KINDS) as RuleFieldName[];

interface FieldText {
  readonly label: string;
  readonly help?: string;
  readonly group: RuleFieldGroup;
}

/** The fields every rule has, whatever its method. Fields a module owns are described by that module. */
const SHARED: Partial<Record<RuleFieldName, FieldText>> = {
  name: { label: 'Name', help: 'Unique. Events and logs name the rule by it.', group: 'rule' },
  method: { label: 'Login method', group: 'rule' },
  priority: { label: 'Priority', help: 'A unique whole number. Rules are tried from the lowest; the first that applies wins.', group: 'rule' },
  enabled: { label: 'Enabled', help: 'A disabled rule never matches.', group: 'rule' },
  emailRegex: {
    label: 'Email regex',
    help: 'Case-insensitive search in the email address. Anchor it: @acme\\.com$ (without $ it also matches @acme.com.example.org).',
    group: 'who',
  },
  lookupAttributes: {
    label: 'Lookup attributes (JSON)',
    help: 'A Prisma where on User, e.g. {"isStaff": true}, plus "hasMfa": true (has an MFA factor) or "hasSso": true (has an SSO identity).',
    group: 'who',
  },
};

const TRISTATE_CHOICES: readonly RuleFormChoice[] = [
  { value: '', label: "The method's default" },
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

const JIT_LABELS: Record<(typeof JIT_MODES)[number], string> = {
  off: 'Off',
  attributes: 'Matching attributes (the typed email matches the regex)',
  idp: "Matching attributes or IdP login (the profile's organization or connection matches)",
};

export interface RuleFormChoice {
  readonly value: string;
  readonly label: string;
}

/** A rule field as the admin form and the CLI present it. */
export interface RuleFormField {
  readonly name: RuleFieldName;
  readonly kind: RuleFieldKind;
  readonly label: string;
  readonly help?: string;
  readonly group: RuleFieldGroup;
  /** The methods that may set it (from the module that owns it), or null when every rule may. */
  readonly methods: readonly string[] | null;
  readonly choices?: readonly RuleFormChoice[];
}

const fieldCache = new WeakMap<RuleCatalog, readonly RuleFormField[]>();

/** Every rule field, in form order, described from the catalog's declarations. */
export function ruleFormFields(catalog: RuleCatalog): readonly RuleFormField[] {
  const cached = fieldCache.get(catalog);
  if (cached) return cached;
  const fields = RULE_FIELD_NAMES.map((name): RuleFormField => {
    const owner = catalog.fields.get(name);
    const text: FieldText = owner
      ? { label: owner.spec.label ?? name, ...(owner.spec.help !== undefined && { help: owner.spec.help }), group: owner.spec.group ?? 'other' }
      : (SHARED[name] ?? { label: name, group: 'other' });
    const choices =
      name === 'method'
        ? [...catalog.methods].map(([value, spec]) => ({ value, label: spec.label ? `${spec.label} (${value})` : value }))
        : name === 'jitCreation'
          ? JIT_MODES.map((value) => ({ value, label: JIT_LABELS[value] }))
          : KINDS[name] === 'tristate'
            ? TRISTATE_CHOICES
            : undefined;
    return Object.freeze({
      name,
      kind: KINDS[name],
      ...text,
      methods: owner ? Object.freeze([...owner.methods]) : null,
      ...(choices && { choices: Object.freeze(choices) }),
    });
  });
  Object.freeze(fields);
  fieldCache.set(catalog, fields);
  return fields;
}

/** The form's sections with their fields (empty sections left out). */
export function ruleFormGroups(catalog: RuleCatalog): { id: RuleFieldGroup; title: string; fields: readonly RuleFormField[] }[] {
  const fields = ruleFormFields(catalog);
  return RULE_FIELD_GROUPS.map((g) => ({ id: g.id, title: g.title, fields: fields.filter((f) => f.group === g.id) })).filter((g) => g.fields.length > 0);
}

export type FieldTextResult = { ok: true; value: unknown } | { ok: false; message: string };

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0', '']);

/**
 * A field's value from text (a form box or a command-line option). Only the text itself is checked here (a whole
 * number, JSON that parses); the rule schema checks the value like any other input.
 */
export function fieldFromText(kind: RuleFieldKind, text: string): FieldTextResult {
  switch (kind) {
    case 'text':
    case 'choice':
      return { ok: true, value: text };
    case 'integer': {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) return { ok: false, message: t === '' ? 'enter a whole number' : `must be a whole number, not "${t}"` };
      return { ok: true, value: Number(t) };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (TRUE_WORDS.has(t)) return { ok: true, value: true };
      if (FALSE_WORDS.has(t)) return { ok: true, value: false };
      return { ok: false, message: `must be true or false, not "${text}"` };
    }
    case 'tristate': {
      const t = text.trim().toLowerCase();
      if (t === '' || t === 'default') return { ok: true, value: null };
      return fieldFromText('boolean', t);
    }
    case 'list':
      return { ok: true, value: text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean) };
    case 'json':
      return jsonFromText(text);
  }
}

/** JSON text as an object; a syntax error names its line and column. */
function jsonFromText(text: string): FieldTextResult {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    if (!at) return { ok: false, message: `is not valid JSON: ${reason}` };
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { ok: false, message: `is not valid JSON: ${reason} (line ${line}, column ${column})` };
  }
}

/** A field's value as text, for a form box or the CLI's output. Empty objects and lists are empty text. */
export function fieldToText(kind: RuleFieldKind, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (kind === 'json') {
    if (typeof value === 'string') return value;
    return value && typeof value === 'object' && Object.keys(value).length === 0 ? '' : JSON.stringify(value, null, 2);
  }
  if (kind === 'list') return Array.isArray(value) ? value.join(', ') : String(value);
  return String(value);
}
