// Counting which active users rules catch, in batches read in id order: how many users each rule has now
// (`usage`), and whom a draft would catch and from which rules (`preview`). The database answers each rule's
// `where` once, as a set of user ids; everything else is matched here, the way a login matches it.
import { requiredText } from '../core/required-text.ts';
import { factsNeeded, PreviewTally, UsageTally, type PreviewSubject, type WhereMatches } from '../core/rule-preview.ts';
import type { BrokenRule, LoginRule } from '../core/rules.ts';
import type { CandidateFilter, PreviewRows } from '../db/admin-ports.ts';
import { isValidationError } from '../db/errors.ts';
import type { UserId } from '../user-types.ts';

const BATCH = 20_000;

/** A rule as the preview names it (`id` is null for a rule not saved yet). */
export interface PreviewRuleRef {
  id: number | null;
  name: string;
  method: string;
}

export interface RulePreview {
  /** Active users considered. */
  total: number;
  /** Users whose rule would be the draft. */
  caught: number;
  /** The first 20 of them (by id), with the rule they have now. */
  sample: { id: UserId; username: string; email: string; from: PreviewRuleRef | null }[];
  /** Users whose rule would change, grouped by their rule now and after (`null`: no rule). */
  moves: { from: PreviewRuleRef | null; to: PreviewRuleRef | null; count: number }[];
  /** Users the draft applies to whom an earlier rule keeps, by that rule. */
  shadowed: { by: PreviewRuleRef; count: number }[];
}

/** How many active users each rule has now (`null` key: users no rule applies to, or whose login a broken rule blocks). */
export interface RuleUsage {
  total: number;
  counts: ReadonlyMap<number | null, number>;
}

/** A new rule's draft has id 0: it has no id yet. */
const ref = (rule: LoginRule): PreviewRuleRef => ({ id: rule.id === 0 ? null : rule.id, name: rule.name, method: rule.method });

/** The `where` sets and MFA/SSO facts the rules need. */
async function facts(rows: PreviewRows, rules: readonly LoginRule[], onBadFilter: (rule: LoginRule, err: unknown) => void) {
  const needed = factsNeeded(rules);
  const where = new Map<number, ReadonlySet<UserId>>();
  const [mfa, sso] = await Promise.all([
    needed.hasMfa ? rows.usersWithFactor() : new Set<UserId>(),
    needed.hasSso ? rows.usersWithIdentity() : new Set<UserId>(),
    ...needed.where.map(async (rule) => {
      try {
        where.set(rule.id, await rows.activeMatching(rule.where!));
      } catch (err) {
        // Like a login: a filter the database refuses matches nobody.
        if (!isValidationError(err)) throw err;
        onBadFilter(rule, err);
      }
    }),
  ]);
  return { where: where as WhereMatches, mfa: mfa as Set<UserId>, sso: sso as Set<UserId> };
}

/** Reads every active user (or only the candidates) once, in batches, as preview subjects. */
async function eachBatch(rows: PreviewRows, mfa: Set<UserId>, sso: Set<UserId>, fn: (users: PreviewSubject[]) => void, candidates?: CandidateFilter): Promise<void> {
  let after: UserId | null = null;
  for (;;) {
    const batch = await rows.activeUsers(after, BATCH, candidates);
    if (batch.length === 0) return;
    fn(batch.map((u) => ({ id: u.id, email: u.email, hasMfa: mfa.has(u.id), hasSso: sso.has(u.id) })));
    after = batch[batch.length - 1]!.id;
    if (batch.length < BATCH) return;
  }
}

/** The rules as a login sees them: the valid ones and the broken rows that make a login fail closed. */
export interface RuleSet {
  rules: readonly LoginRule[];
  broken: readonly BrokenRule[];
}

export async function ruleUsage(rows: PreviewRows, { rules, broken }: RuleSet, onBadFilter: (rule: LoginRule, err: unknown) => void): Promise<RuleUsage> {
  const { where, mfa, sso } = await facts(rows, rules, onBadFilter);
  const tally = new UsageTally(rules, where, broken);
  await eachBatch(rows, mfa, sso, (users) => tally.add(users));
  return { total: tally.total, counts: tally.counts };
}

/**
 * The users the draft or the rule it replaces could apply to: only their rule can change. Null when the database
 * cannot narrow it down (a regex without a piece of text every match contains): then every user is read.
 */
function candidatesOf(rules: readonly (LoginRule | undefined)[], where: WhereMatches): CandidateFilter | null {
  const filter = { emailContains: [] as string[], wheres: [] as Readonly<Record<string, unknown>>[], withFactor: false, withIdentity: false };
  for (const rule of rules) {
    if (!rule?.enabled) continue;
    if (rule.emailRegex) {
      const text = requiredText(rule.emailRegex);
      if (text === null) return null;
      filter.emailContains.push(text);
    }
    // A filter the database refused (not in `where`) matches nobody, as at login.
    if (rule.where && where.has(rule.id)) filter.wheres.push(rule.where);
    filter.withFactor ||= rule.hasMfa;
    filter.withIdentity ||= rule.hasSso;
  }
  return filter;
}

/** `draft` has the id of the rule it edits, or 0 for a new rule. */
export async function previewRule(rows: PreviewRows, { rules: current, broken }: RuleSet, draft: LoginRule, onBadFilter: (rule: LoginRule, err: unknown) => void): Promise<RulePreview> {
  const [{ where, mfa, sso }, total] = await Promise.all([facts(rows, [...current, draft], onBadFilter), rows.countActive()]);
  const tally = new PreviewTally(current, draft, where, 20, broken);
  const candidates = candidatesOf([draft, current.find((r) => r.id === draft.id)], where);
  const nobody = candidates && !candidates.emailContains.length && !candidates.wheres.length && !candidates.withFactor && !candidates.withIdentity;
  if (!nobody) await eachBatch(rows, mfa, sso, (users) => tally.add(users), candidates ?? undefined);
  const named = new Map((await rows.usersByIds(tally.sample.map((s) => s.id))).map((u) => [u.id, u]));
  const byId = new Map(current.map((r) => [r.id, r]));
  return {
    total,
    caught: tally.caught,
    sample: tally.sample.map((s) => ({ id: s.id, username: named.get(s.id)?.username ?? '', email: named.get(s.id)?.email ?? '', from: s.from && ref(s.from) })),
    moves: tally.movesList().map((m) => ({ from: m.from && ref(m.from), to: m.to && ref(m.to), count: m.count })),
    shadowed: [...tally.shadowed].map(([id, count]) => ({ by: ref(byId.get(id)!), count })).sort((a, b) => b.count - a.count),
  };
}
