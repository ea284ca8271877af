// Login rules: validation (zod + each method's own `clean()` constraints) and resolution. Pure: no Express, no
// Prisma. Which methods exist, what each needs and which fields belong to whom come from the method modules,
// gathered in a `RuleCatalog`; lookup attributes that need the database are answered through a `probe`.
import { z } from 'zod';
import { checkSavedAttributes } from './jit-check.ts';
import { regexMatches, ruleRegex, shareRuleRegex } from './regex.ts';
import type { RuleFieldGroup } from './rule-form.ts';
import { ruleWarnings, type RuleWarning } from './rule-warnings.ts';
import type { MethodSteps } from './steps.ts';
import type { UserId } from '../user-types.ts';

export type { RuleWarning } from './rule-warnings.ts';

export const JIT_MODES = ['off', 'attributes', 'idp'] as const;
export type JitMode = (typeof JIT_MODES)[number];

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON object whose keys (at any depth) are never prototype-polluting names. The keys are checked on the raw
 * input, before z.record rebuilds the object (which silently drops a top-level `__proto__`).
 */
const jsonObject = z.unknown().superRefine((value, ctx) => {
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (FORBIDDEN_KEYS.has(k)) ctx.addIssue({ code: 'custom', message: `key "${k}" is not allowed`, path: [...path, k] });
        walk(child, [...path, k]);
      }
    }
  };
  walk(value, []);
}).pipe(z.record(z.string(), z.unknown()));

/** Accepts an object or its JSON text (the database stores text). */
const jsonField = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return {};
  try {
    return JSON.parse(v);
  } catch {
    return v; // the object schema then reports "expected object"
  }
}, jsonObject);

/**
 * What Directory Sync webhooks do for an SSO rule's organization (deprovisioning needs no opt-in): `users` creates and
 * updates accounts from `dsync.user.created/updated` (pre-provisioning, with the saved attributes), and `groups` maps
 * directory group names to local group names kept in sync by `dsync.group.user_added/removed`.
 */
const directoryProvisioningField = jsonField.pipe(
  z.strictObject({
    users: z.boolean().optional(),
    groups: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).optional(),
  }),
);

export interface DirectoryProvisioning {
  readonly users: boolean;
  /** Directory group name → local group name. */
  readonly groups: Readonly<Record<string, string>>;
}

const ruleFields = {
  name: z.string().trim().min(1).max(200),
  method: z.string().min(1).max(100),
  priority: z.number().int().min(-2_147_483_648).max(2_147_483_647),
  enabled: z.boolean().default(true),
  emailRegex: z.string().max(500).default(''),
  lookupAttributes: jsonField.default({}),
  connectionId: z.string().trim().max(200).default(''),
  organizationId: z.string().trim().max(200).default(''),
  jitCreation: z.enum(JIT_MODES).default('off'),
  jitGroups: z.array(z.string().min(1)).default([]),
  savedAttributes: jsonField.default({}),
  totpOrganizationName: z.string().trim().max(200).default(''),
  allowIdpInitiated: z.boolean().default(false),
  /** Link an existing account found by email at its first SSO login; null = the method's default (see src/sso/rule.ts). */
  linkExistingByEmail: z.boolean().nullable().default(null),
  directoryProvisioning: directoryProvisioningField.default({}),
};

const baseRuleSchema = z.object(ruleFields).strict();

/** A rule as given, with defaults filled, before the method checks. */
export type RuleDraft = z.output<typeof baseRuleSchema>;
/** A rule's fields, as method modules name them. */
export type RuleFieldName = keyof RuleDraft;
export type RuleIssueSink = (path: RuleFieldName, message: string) => void;

/** What a method module declares about the rule methods it serves. */
export interface RuleMethodSpec {
  readonly steps: MethodSteps;
  /** How the admin and the CLI name the method (default: its key). */
  readonly label?: string;
  /** This method's own `clean()` constraints, on a rule of this method. */
  check?(rule: RuleDraft, issue: RuleIssueSink): void;
}

/** A rule field only one module's methods use: other rules must leave it empty. */
export interface RuleFieldSpec {
  /** What a rule of another method is told when it sets the field, and on which path. */
  readonly elsewhere: { readonly message: string; readonly path?: RuleFieldName };
  /** How the admin form and the CLI's help name the field, explain it, and where the form shows it. */
  readonly label?: string;
  readonly help?: string;
  readonly group?: RuleFieldGroup;
}

/** Every rule method of the mounted modules, and the fields each module owns. */
export interface RuleCatalog {
  readonly methods: ReadonlyMap<string, RuleMethodSpec>;
  /** Field → the methods allowed to set it, and what others are told. */
  readonly fields: ReadonlyMap<RuleFieldName, { readonly methods: ReadonlySet<string>; readonly spec: RuleFieldSpec }>;
  /** Field-level constraints that hold whatever the method (e.g. not both a connection and an organization). */
  readonly fieldChecks: readonly ((rule: RuleDraft, issue: RuleIssueSink) => void)[];
}

/** What a module contributes to the catalog. */
export interface RuleCatalogEntry {
  readonly methods: Readonly<Record<string, RuleMethodSpec>>;
  readonly ruleFields?: Readonly<Partial<Record<RuleFieldName, RuleFieldSpec>>>;
  checkFields?(rule: RuleDraft, issue: RuleIssueSink): void;
}

export function ruleCatalog(entries: readonly RuleCatalogEntry[]): RuleCatalog {
  const methods = new Map<string, RuleMethodSpec>();
  const fields = new Map<RuleFieldName, { methods: ReadonlySet<string>; spec: RuleFieldSpec }>();
  for (const entry of entries) {
    for (const [name, spec] of Object.entries(entry.methods)) {
      if (methods.has(name)) throw new Error(`two method modules serve the rule method "${name}"`);
      methods.set(name, spec);
    }
    const own = new Set(Object.keys(entry.methods));
    for (const [field, spec] of Object.entries(entry.ruleFields ?? {}) as [RuleFieldName, RuleFieldSpec][]) {
      if (fields.has(field)) throw new Error(`two method modules own the rule field "${field}"`);
      fields.set(field, { methods: own, spec });
    }
  }
  const fieldChecks = entries.flatMap((e) => (e.checkFields ? [e.checkFields.bind(e)] : []));
  return Object.freeze({ methods, fields, fieldChecks: Object.freeze(fieldChecks) });
}

/** Whether a field holds a value (a default-valued field is "not set"). */
function isSet(value: unknown): boolean {
  if (typeof value === 'string') return value !== '' && value !== 'off';
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return value === true;
}

const schemas = new WeakMap<RuleCatalog, z.ZodType<RuleDraft, unknown>>();

/** The rule schema for a catalog: the shared fields, then each module's constraints. */
export function ruleSchema(catalog: RuleCatalog): z.ZodType<RuleDraft, unknown> {
  const cached = schemas.get(catalog);
  if (cached) return cached;
  const schema = baseRuleSchema.superRefine((r, ctx) => {
    const seen = new Set<string>();
    const issue: RuleIssueSink = (path, message) => {
      // One message per path: e.g. a connection id and an organization id on a password rule are one mistake.
      if (seen.has(`${path}\0${message}`)) return;
      seen.add(`${path}\0${message}`);
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    const method = catalog.methods.get(r.method);
    if (!method) {
      issue('method', `unknown login method "${r.method}"; expected one of ${[...catalog.methods.keys()].join(', ')}`);
      return;
    }
    for (const [field, owner] of catalog.fields) {
      if (!owner.methods.has(r.method) && isSet(r[field])) issue(owner.spec.elsewhere.path ?? field, owner.spec.elsewhere.message);
    }
    for (const check of catalog.fieldChecks) check(r, issue);
    method.check?.(r, issue);
    const { hasMfa, hasSso, ...where } = r.lookupAttributes;
    if (hasMfa !== undefined && typeof hasMfa !== 'boolean') issue('lookupAttributes', 'hasMfa must be true or false');
    if (hasSso !== undefined && typeof hasSso !== 'boolean') issue('lookupAttributes', 'hasSso must be true or false');
    const targets = r.emailRegex !== '' || hasMfa === true || hasSso === true || Object.keys(where).length > 0 || r.jitCreation !== 'off';
    if (!targets) issue('emailRegex', 'a rule must target someone: give an email regex, lookup attributes or JIT creation');
    if (r.emailRegex) {
      const compiled = ruleRegex(r);
      if (!compiled.ok) issue('emailRegex', `the regular expression ${compiled.reason}`);
    }
    // Saved attributes are data and locked-down templates: a refused template never reaches a login.
    for (const i of checkSavedAttributes(r.savedAttributes)) ctx.addIssue({ code: 'custom', path: ['savedAttributes', i.path], message: i.message });
  });
  schemas.set(catalog, schema);
  return schema;
}

/** What a host or admin gives when creating or updating a rule. */
export type LoginRuleInput = z.input<typeof baseRuleSchema>;
type ParsedInput = RuleDraft;

/** A validated rule, ready to match. */
export interface LoginRule {
  readonly id: number;
  readonly name: string;
  /** One of the rule methods the mounted modules serve (built in: see `LOGIN_METHODS`). */
  readonly method: string;
  readonly priority: number;
  readonly enabled: boolean;
  readonly emailRegex: string;
  /** Lookup attributes without the special keys: a database filter on the user, or null when empty. */
  readonly where: Readonly<Record<string, unknown>> | null;
  readonly hasMfa: boolean;
  readonly hasSso: boolean;
  readonly connectionId: string;
  readonly organizationId: string;
  readonly jitCreation: JitMode;
  readonly jitGroups: readonly string[];
  readonly savedAttributes: Readonly<Record<string, unknown>>;
  readonly totpOrganizationName: string;
  readonly allowIdpInitiated: boolean;
  /** As stored: true, false, or null for the method's default (SSO: on for `sso`, off for OAuth providers). */
  readonly linkExistingByEmail: boolean | null;
  /** What is probably not meant (e.g. an email regex not anchored with `$`); never stops the rule from working. */
  readonly warnings: readonly RuleWarning[];
  readonly directoryProvisioning: DirectoryProvisioning;
}

export interface RuleIssue {
  path: string;
  message: string;
}

export type RuleParseResult = { ok: true; value: ParsedInput } | { ok: false; issues: RuleIssue[] };

export function parseRuleInput(input: unknown, catalog: RuleCatalog): RuleParseResult {
  const result = ruleSchema(catalog).safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: i.path.join('.') || '(rule)', message: i.message })),
  };
}

/** Turns a validated input (plus its id) into the frozen matching form. */
export function toLoginRule(id: number, v: ParsedInput): LoginRule {
  const { hasMfa, hasSso, ...where } = v.lookupAttributes;
  const rule: LoginRule = Object.freeze({
    id,
    name: v.name,
    method: v.method,
    priority: v.priority,
    enabled: v.enabled,
    emailRegex: v.emailRegex,
    where: Object.keys(where).length > 0 ? Object.freeze(where) : null,
    hasMfa: hasMfa === true,
    hasSso: hasSso === true,
    connectionId: v.connectionId,
    organizationId: v.organizationId,
    jitCreation: v.jitCreation,
    jitGroups: Object.freeze([...v.jitGroups]),
    savedAttributes: Object.freeze(v.savedAttributes),
    totpOrganizationName: v.totpOrganizationName,
    allowIdpInitiated: v.allowIdpInitiated,
    linkExistingByEmail: v.linkExistingByEmail,
    warnings: Object.freeze(ruleWarnings(v)),
    directoryProvisioning: Object.freeze({
      users: v.directoryProvisioning.users === true,
      groups: Object.freeze({ ...v.directoryProvisioning.groups }),
    }),
  });
  shareRuleRegex(v, rule);
  return rule;
}

/** Who a rule is resolved for: an existing user, or an unknown name typed at the login page. */
export type RuleSubject =
  | { kind: 'user'; userId: UserId; email: string; hasMfa: boolean; hasSso: boolean }
  | { kind: 'unknown'; typed: string };

/**
 * Answers the one question that needs the database: does this user match a rule's `where`? `{ invalid }` when the
 * filter is not one the database accepts (a rule written straight to the table): the rule is then broken.
 */
export interface RuleProbe {
  matchesWhere(rule: LoginRule): Promise<boolean | { invalid: string }>;
}

export interface RuleVerdict {
  ruleId: number;
  name: string;
  matched: boolean;
  why: string;
}

export interface RuleResolution {
  /** The rule that applies; null when none does, or when a broken rule comes first (`blockedBy`). */
  rule: LoginRule | null;
  /** Human-readable reason the chosen rule applies (or why none does). */
  reason: string;
  /** Every rule considered, in order, with its verdict. */
  trace: RuleVerdict[];
  /**
   * An enabled rule that is broken and comes before any rule that applies (or no rule applies): it might have been
   * this person's rule, so the login fails closed ("login is temporarily unavailable") until it is fixed or disabled.
   */
  blockedBy: BrokenRule | null;
}

export function sortRules<T extends { priority: number; id: number }>(rules: readonly T[]): T[] {
  return [...rules].sort((a, b) => a.priority - b.priority || a.id - b.id);
}

type Candidate = { kind: 'rule'; id: number; priority: number; rule: LoginRule } | { kind: 'broken'; id: number; priority: number; broken: BrokenRule };

/** What a login gets when it reaches a broken rule, for `reason` and the log. */
export function blockedReason(broken: BrokenRule): string {
  const issues = broken.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return `rule ${broken.id} "${broken.name}" (priority ${broken.priority}) is enabled but broken (${issues}); it might be this login's rule, so the login is refused until the rule is fixed or disabled`;
}

/**
 * First enabled rule in (priority, id) order that applies. A rule applies to a user if ANY of: hasMfa and the
 * user has a factor; hasSso and the user has an SSO identity; its `where` matches the user; its regex matches
 * the email. Unknown names only match JIT rules whose regex matches what was typed. Never mutates a rule.
 *
 * `broken` rules (rows that failed validation) cannot be judged: a login that reaches an enabled one before any
 * rule applies fails closed (`blockedBy`), so that a broken MFA rule never lets its users fall through to a
 * weaker rule below it.
 */
export async function resolveRule(rules: readonly LoginRule[], subject: RuleSubject, probe: RuleProbe, broken: readonly BrokenRule[] = []): Promise<RuleResolution> {
  const trace: RuleVerdict[] = [];
  const candidates = sortRules<Candidate>([
    ...rules.map((rule) => ({ kind: 'rule' as const, id: rule.id, priority: rule.priority, rule })),
    ...broken.map((b) => ({ kind: 'broken' as const, id: b.id, priority: b.priority, broken: b })),
  ]);
  const block = (b: BrokenRule): RuleResolution => {
    const why = blockedReason(b);
    trace.push({ ruleId: b.id, name: b.name, matched: false, why });
    return { rule: null, reason: why, trace, blockedBy: b };
  };
  for (const candidate of candidates) {
    if (candidate.kind === 'broken') {
      if (!candidate.broken.enabled) {
        trace.push({ ruleId: candidate.id, name: candidate.broken.name, matched: false, why: 'disabled (and broken)' });
        continue;
      }
      return block(candidate.broken);
    }
    const { rule } = candidate;
    const verdict = await judge(rule, subject, probe);
    if ('invalid' in verdict) return block({ id: rule.id, name: rule.name, priority: rule.priority, enabled: rule.enabled, issues: [verdict.invalid] });
    trace.push({ ruleId: rule.id, name: rule.name, ...verdict });
    if (verdict.matched) return { rule, reason: verdict.why, trace, blockedBy: null };
  }
  return {
    rule: null,
    reason: subject.kind === 'unknown' ? 'unknown username and no JIT rule matches it' : 'no rule matches this user',
    trace,
    blockedBy: null,
  };
}

/**
 * Whether step 2 is the shared password form whoever types the name: no enabled rule's method has a first step of
 * its own and no enabled broken rule blocks logins. Then step 1 need not read the user at all (and so cannot tell by
 * its timing whether the name exists); the password step resolves the rule as always.
 */
export function passwordFormForEveryone(rules: readonly LoginRule[], broken: readonly BrokenRule[], catalog: RuleCatalog): boolean {
  if (broken.some((b) => b.enabled)) return false;
  return rules.every((r) => !r.enabled || catalog.methods.get(r.method)?.steps.first === 'password');
}

/** A rule that turns out broken while it is judged (it bypassed validation): it blocks like a broken row. */
type Unjudgeable = { invalid: RuleIssue };

async function judge(rule: LoginRule, subject: RuleSubject, probe: RuleProbe): Promise<{ matched: boolean; why: string } | Unjudgeable> {
  if (!rule.enabled) return { matched: false, why: 'disabled' };
  const regex = rule.emailRegex ? ruleRegex(rule) : null;
  if (regex && !regex.ok) return { invalid: { path: 'emailRegex', message: `the regular expression ${regex.reason}` } };
  if (subject.kind === 'unknown') {
    if (rule.jitCreation === 'off') return { matched: false, why: 'unknown username and the rule has no JIT creation' };
    if (regex && regexMatches(regex.regex, subject.typed)) {
      return { matched: true, why: `unknown username; JIT rule's regex /${rule.emailRegex}/i matches "${subject.typed}"` };
    }
    return { matched: false, why: 'unknown username does not match the regex' };
  }
  if (rule.hasMfa && subject.hasMfa) return { matched: true, why: 'the user has an MFA factor (hasMfa)' };
  if (rule.hasSso && subject.hasSso) return { matched: true, why: 'the user has an SSO identity (hasSso)' };
  if (rule.where) {
    const answer = await probe.matchesWhere(rule);
    if (typeof answer === 'object') return { invalid: { path: 'lookupAttributes', message: answer.invalid } };
    if (answer) return { matched: true, why: `lookup attributes ${JSON.stringify(rule.where)} match the user` };
  }
  if (regex && regexMatches(regex.regex, subject.email)) {
    return { matched: true, why: `email regex /${rule.emailRegex}/i matches "${subject.email}"` };
  }
  return { matched: false, why: 'neither lookup attributes nor the email regex match' };
}

/**
 * A rule row that failed validation when loaded. It cannot be matched; while it is enabled, every login that
 * reaches it in priority order is refused (`RuleResolution.blockedBy`). `explain` lists it.
 */
export interface BrokenRule {
  id: number;
  name: string;
  priority: number;
  enabled: boolean;
  issues: RuleIssue[];
}

/** A rule's warnings, as `explain` lists them. */
export interface RuleWarnings {
  ruleId: number;
  name: string;
  warnings: readonly RuleWarning[];
}

/** What `login.explain(name)` answers: which rule applies to a login name, why, and which rules are broken. */
export interface Explanation extends RuleResolution {
  username: string;
  /** The user the name refers to, or null when unknown (id and username only). */
  user: { id: UserId; username: string; email: string } | null;
  broken: BrokenRule[];
  /** Every valid rule with warnings (e.g. an unanchored email regex), in priority order. */
  warnings: RuleWarnings[];
}
