// Rules as plain JSON: every field spelled out (what `export` writes, `import` reads, the CLI prints and adminChange
// events carry), read back from rows, and compared field by field.
import { z } from 'zod';
import { parseRuleInput, type LoginRule, type RuleCatalog, type RuleDraft, type RuleIssue } from '../core/rules.ts';
import type { LoginRuleRow } from '../db/ports.ts';
import { rowToInput } from './store.ts';

/** A rule with every field, as JSON. */
export type ExportedRule = RuleDraft;

/** What `login.rules.export()` returns and `import` reads. */
export interface RulesDocument {
  version: 1;
  rules: ExportedRule[];
}

/** A document as given to `import`: the export's shape, or just its list of rules. */
export const rulesDocumentSchema = z.union([
  z.object({ version: z.literal(1), rules: z.array(z.unknown()) }).strict(),
  z.array(z.unknown()).transform((rules) => ({ version: 1 as const, rules })),
]);

/** A validated rule back as input (the special lookup keys folded back into `lookupAttributes`). */
export function ruleToInput(rule: LoginRule): ExportedRule {
  return {
    name: rule.name,
    method: rule.method,
    priority: rule.priority,
    enabled: rule.enabled,
    emailRegex: rule.emailRegex,
    lookupAttributes: { ...(rule.where ?? {}), ...(rule.hasMfa && { hasMfa: true }), ...(rule.hasSso && { hasSso: true }) },
    connectionId: rule.connectionId,
    organizationId: rule.organizationId,
    jitCreation: rule.jitCreation,
    jitGroups: [...rule.jitGroups],
    savedAttributes: { ...rule.savedAttributes },
    totpOrganizationName: rule.totpOrganizationName,
    allowIdpInitiated: rule.allowIdpInitiated,
    linkExistingByEmail: rule.linkExistingByEmail,
    directoryProvisioning: {
      ...(rule.directoryProvisioning.users ? { users: true } : {}),
      ...(Object.keys(rule.directoryProvisioning.groups).length > 0 ? { groups: { ...rule.directoryProvisioning.groups } } : {}),
    },
  };
}

/** A stored rule: its fields as JSON (raw where the row is broken) and, for a broken row, what is wrong with it. */
export interface StoredRule {
  id: number;
  rule: ExportedRule;
  /** Null when the row is valid; else what is wrong with it (while it is enabled, logins that reach it are refused). */
  issues: RuleIssue[] | null;
  createdAt: Date;
  updatedAt: Date;
}

export function storedRule(row: LoginRuleRow, catalog: RuleCatalog): StoredRule {
  const input = rowToInput(row);
  const parsed = parseRuleInput(input, catalog);
  const rule = parsed.ok ? parsed.value : ({ ...input, lookupAttributes: jsonOrText(row.lookupAttributes), savedAttributes: jsonOrText(row.savedAttributes) } as ExportedRule);
  return { id: row.id, rule, issues: parsed.ok ? null : parsed.issues, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** JSON with object keys sorted, so that two equal values always read the same. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The fields whose values differ (JIT groups compared as a set), with both values. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const diff = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    // Warnings are computed from the fields, not stored: they never make a change.
    if (key === 'warnings') continue;
    const norm = (v: unknown) => (key === 'jitGroups' && Array.isArray(v) ? stableJson([...(v as string[])].sort()) : stableJson(v));
    if (norm(before[key]) !== norm(after[key])) {
      diff.before[key] = before[key];
      diff.after[key] = after[key];
    }
  }
  return diff;
}
