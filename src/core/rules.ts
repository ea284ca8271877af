// Login rules: validation (zod + the Django `clean()` constraints) and resolution. Pure: no Express, no Prisma.
// Lookup attributes that need the database are answered through the `probe` the caller passes in.
import { z } from 'zod';
import { checkSavedAttributes } from './jit-check.ts';
import { compileRuleRegex, regexMatches } from './regex.ts';

export const LOGIN_METHODS = ['password', 'mfa', 'email_mfa', 'magic', 'sso', 'GoogleOAuth', 'MicrosoftOAuth'] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];
export const SSO_METHODS: readonly LoginMethod[] = ['sso', 'GoogleOAuth', 'MicrosoftOAuth'];
export const PASSWORD_METHODS: readonly LoginMethod[] = ['password', 'mfa', 'email_mfa'];
export const JIT_MODES = ['off', 'attributes', 'idp'] as const;
export type JitMode = (typeof JIT_MODES)[number];

export const isSsoMethod = (m: LoginMethod): boolean => SSO_METHODS.includes(m);
export const usesPassword = (m: LoginMethod): boolean => PASSWORD_METHODS.includes(m);

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

/** What a host or admin gives when creating or updating a rule. */
export const loginRuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    method: z.enum(LOGIN_METHODS),
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
  })
  .strict()
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const sso = isSsoMethod(r.method);
    if (r.method === 'mfa' && !r.totpOrganizationName) issue('totpOrganizationName', 'is required for the mfa method');
    if (r.method !== 'mfa' && r.totpOrganizationName) issue('totpOrganizationName', 'is only used by the mfa method');
    if (!sso && (r.connectionId || r.organizationId)) issue('connectionId', 'connection and organization ids are only for SSO methods');
    if (r.connectionId && r.organizationId) issue('organizationId', 'give a connection id or an organization id, not both');
    if (r.method === 'sso' && !r.connectionId && !r.organizationId) issue('connectionId', 'the sso method needs a connection id or an organization id');
    if (!sso && r.jitCreation !== 'off') issue('jitCreation', 'just-in-time creation is only for SSO methods');
    if (!sso && Object.keys(r.savedAttributes).length > 0) issue('savedAttributes', 'saved attributes are only for SSO methods');
    if (!sso && r.jitGroups.length > 0) issue('jitGroups', 'JIT groups are only for SSO methods');
    if (!sso && r.allowIdpInitiated) issue('allowIdpInitiated', 'IdP-initiated login is only for SSO methods');
    const { hasMfa, hasSso, ...where } = r.lookupAttributes;
    if (hasMfa !== undefined && typeof hasMfa !== 'boolean') issue('lookupAttributes', 'hasMfa must be true or false');
    if (hasSso !== undefined && typeof hasSso !== 'boolean') issue('lookupAttributes', 'hasSso must be true or false');
    const targets = r.emailRegex !== '' || hasMfa === true || hasSso === true || Object.keys(where).length > 0 || r.jitCreation !== 'off';
    if (!targets) issue('emailRegex', 'a rule must target someone: give an email regex, lookup attributes or JIT creation');
    if (r.emailRegex) {
      const compiled = compileRuleRegex(r.emailRegex);
      if (!compiled.ok) issue('emailRegex', `the regular expression ${compiled.reason}`);
    }
    // Saved attributes are data and locked-down templates: a refused template never reaches a login.
    for (const i of checkSavedAttributes(r.savedAttributes)) ctx.addIssue({ code: 'custom', path: ['savedAttributes', i.path], message: i.message });
  });

export type LoginRuleInput = z.input<typeof loginRuleInputSchema>;
type ParsedInput = z.output<typeof loginRuleInputSchema>;

/** A validated rule, ready to match. */
export interface LoginRule {
  readonly id: number;
  readonly name: string;
  readonly method: LoginMethod;
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
}

export interface RuleIssue {
  path: string;
  message: string;
}

export type RuleParseResult = { ok: true; value: ParsedInput } | { ok: false; issues: RuleIssue[] };

export function parseRuleInput(input: unknown): RuleParseResult {
  const result = loginRuleInputSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: i.path.join('.') || '(rule)', message: i.message })),
  };
}

/** Turns a validated input (plus its id) into the frozen matching form. */
export function toLoginRule(id: number, v: ParsedInput): LoginRule {
  const { hasMfa, hasSso, ...where } = v.lookupAttributes;
  return Object.freeze({
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
  });
}

/** Who a rule is resolved for: an existing user, or an unknown name typed at the login page. */
export type RuleSubject =
  | { kind: 'user'; userId: number; email: string; hasMfa: boolean; hasSso: boolean }
  | { kind: 'unknown'; typed: string };

/** Answers the one question that needs the database: does this user match a rule's `where`? */
export interface RuleProbe {
  matchesWhere(rule: LoginRule): Promise<boolean>;
}

export interface RuleVerdict {
  ruleId: number;
  name: string;
  matched: boolean;
  why: string;
}

export interface RuleResolution {
  rule: LoginRule | null;
  /** Human-readable reason the chosen rule applies (or why none does). */
  reason: string;
  /** Every rule considered, in order, with its verdict. */
  trace: RuleVerdict[];
}

export function sortRules<T extends { priority: number; id: number }>(rules: readonly T[]): T[] {
  return [...rules].sort((a, b) => a.priority - b.priority || a.id - b.id);
}

/**
 * First enabled rule in (priority, id) order that applies. A rule applies to a user if ANY of: hasMfa and the
 * user has a factor; hasSso and the user has an SSO identity; its `where` matches the user; its regex matches
 * the email. Unknown names only match JIT rules whose regex matches what was typed. Never mutates a rule.
 */
export async function resolveRule(rules: readonly LoginRule[], subject: RuleSubject, probe: RuleProbe): Promise<RuleResolution> {
  const trace: RuleVerdict[] = [];
  for (const rule of sortRules(rules)) {
    const verdict = await judge(rule, subject, probe);
    trace.push({ ruleId: rule.id, name: rule.name, ...verdict });
    if (verdict.matched) return { rule, reason: verdict.why, trace };
  }
  return {
    rule: null,
    reason: subject.kind === 'unknown' ? 'unknown username and no JIT rule matches it' : 'no rule matches this user',
    trace,
  };
}

async function judge(rule: LoginRule, subject: RuleSubject, probe: RuleProbe): Promise<{ matched: boolean; why: string }> {
  if (!rule.enabled) return { matched: false, why: 'disabled' };
  const regex = rule.emailRegex ? compileRuleRegex(rule.emailRegex) : null;
  if (regex && !regex.ok) return { matched: false, why: `broken regex (${regex.reason})` };
  if (subject.kind === 'unknown') {
    if (rule.jitCreation === 'off') return { matched: false, why: 'unknown username and the rule has no JIT creation' };
    if (regex && regexMatches(regex.regex, subject.typed)) {
      return { matched: true, why: `unknown username; JIT rule's regex /${rule.emailRegex}/i matches "${subject.typed}"` };
    }
    return { matched: false, why: 'unknown username does not match the regex' };
  }
  if (rule.hasMfa && subject.hasMfa) return { matched: true, why: 'the user has an MFA factor (hasMfa)' };
  if (rule.hasSso && subject.hasSso) return { matched: true, why: 'the user has an SSO identity (hasSso)' };
  if (rule.where && (await probe.matchesWhere(rule))) {
    return { matched: true, why: `lookup attributes ${JSON.stringify(rule.where)} match the user` };
  }
  if (regex && regexMatches(regex.regex, subject.email)) {
    return { matched: true, why: `email regex /${rule.emailRegex}/i matches "${subject.email}"` };
  }
  return { matched: false, why: 'neither lookup attributes nor the email regex match' };
}
