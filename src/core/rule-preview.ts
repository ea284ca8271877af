// Which existing users a rule catches, for many users at once: the admin's rule list (how many users each rule has)
// and `preview(draft)` (whom a draft would catch, and from which rules). The test is `resolveRule`'s for an existing
// user, with the database's answer to each rule's `where` given up front as a set of user ids. Pure.
import { regexMatches, ruleRegex } from './regex.ts';
import { sortRules, type BrokenRule, type LoginRule } from './rules.ts';
import type { UserId } from '../user-types.ts';

/** A user as the preview sees it. */
export interface PreviewSubject {
  readonly id: UserId;
  readonly email: string;
  readonly hasMfa: boolean;
  readonly hasSso: boolean;
}

/** The users each rule's `where` matches (by rule id); a rule with a `where` missing here matches nobody by it. */
export type WhereMatches = ReadonlyMap<number, ReadonlySet<UserId>>;

/** Whether a rule applies to an existing user (the order of tests of `resolveRule` does not change the answer). */
export function appliesTo(rule: LoginRule, user: PreviewSubject, where: WhereMatches): boolean {
  if (!rule.enabled) return false;
  if (rule.hasMfa && user.hasMfa) return true;
  if (rule.hasSso && user.hasSso) return true;
  if (rule.where && where.get(rule.id)?.has(user.id)) return true;
  if (!rule.emailRegex) return false;
  // Compiled once per rule object: compiling per user was 95% of a preview's time.
  const regex = ruleRegex(rule);
  return regex.ok && regexMatches(regex.regex, user.email);
}

/** The rules and broken rows a login walks, in priority order. */
export type RuleOrder = readonly (LoginRule | BrokenRule)[];

/** Rules and broken rows together, in the order a login tries them (`resolveRule`'s). */
export function ruleOrder(rules: readonly LoginRule[], broken: readonly BrokenRule[]): RuleOrder {
  return sortRules<LoginRule | BrokenRule>([...rules, ...broken.filter((b) => b.enabled)]);
}

const isBroken = (candidate: LoginRule | BrokenRule): candidate is BrokenRule => 'issues' in candidate;

/**
 * The rule a login would give the user, or null: none applies, or the login fails closed first (a broken row, or a
 * rule whose `where` the database refused, comes before any rule that applies), as `resolveRule` decides.
 */
export function firstMatch(order: RuleOrder, user: PreviewSubject, where: WhereMatches): LoginRule | null {
  for (const candidate of order) {
    if (isBroken(candidate)) return null;
    // `resolveRule` tests a rule's MFA/SSO facts before its `where`, so a refused filter blocks only after them.
    const byFact = (candidate.hasMfa && user.hasMfa) || (candidate.hasSso && user.hasSso);
    if (candidate.enabled && candidate.where && !where.has(candidate.id) && !byFact) return null;
    if (appliesTo(candidate, user, where)) return candidate;
  }
  return null;
}

/** Which facts the rules need from the database. */
export function factsNeeded(rules: readonly LoginRule[]): { hasMfa: boolean; hasSso: boolean; where: LoginRule[] } {
  return {
    hasMfa: rules.some((r) => r.enabled && r.hasMfa),
    hasSso: rules.some((r) => r.enabled && r.hasSso),
    where: rules.filter((r) => r.enabled && r.where),
  };
}

/** Counts users per rule (`null`: no rule applies), batch by batch. */
export class UsageTally {
  private readonly sorted: RuleOrder;
  readonly counts = new Map<number | null, number>();
  total = 0;

  constructor(
    rules: readonly LoginRule[],
    private readonly where: WhereMatches,
    broken: readonly BrokenRule[] = [],
  ) {
    this.sorted = ruleOrder(rules, broken);
  }

  add(users: readonly PreviewSubject[]): void {
    for (const user of users) {
      const id = firstMatch(this.sorted, user, this.where)?.id ?? null;
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    }
    this.total += users.length;
  }
}

/** How many users move from one rule to another (`null`: no rule). */
export interface PreviewMove {
  from: LoginRule | null;
  to: LoginRule | null;
  count: number;
}

/**
 * Whom a draft catches: the rules as they are (`current`) against the same rules with the draft in (replacing the
 * rule it edits, if any). A user neither the draft nor the rule it replaces applies to keeps their rule, so only
 * those two are tested for most users.
 */
export class PreviewTally {
  private readonly current: RuleOrder;
  private readonly proposed: RuleOrder;
  private readonly replaced: LoginRule | null;
  caught = 0;
  total = 0;
  /** Users the draft applies to but an earlier rule keeps, by that rule's id. */
  readonly shadowed = new Map<number, number>();
  /** The first `sampleSize` users the draft would catch (in the order given), with their current rule. */
  readonly sample: { id: UserId; from: LoginRule | null }[] = [];
  private readonly moves = new Map<string, PreviewMove>();

  constructor(
    current: readonly LoginRule[],
    private readonly draft: LoginRule,
    private readonly where: WhereMatches,
    private readonly sampleSize = 20,
    broken: readonly BrokenRule[] = [],
  ) {
    this.replaced = current.find((r) => r.id === draft.id) ?? null;
    this.current = ruleOrder(current, broken);
    // An edit of a broken row replaces it: it no longer blocks.
    this.proposed = ruleOrder([...current.filter((r) => r.id !== draft.id), draft], broken.filter((b) => b.id !== draft.id));
  }

  add(users: readonly PreviewSubject[]): void {
    this.total += users.length;
    for (const user of users) {
      const draftApplies = appliesTo(this.draft, user, this.where);
      if (!draftApplies && !(this.replaced && appliesTo(this.replaced, user, this.where))) continue;
      const from = firstMatch(this.current, user, this.where);
      const to = firstMatch(this.proposed, user, this.where);
      if (to === this.draft) {
        this.caught += 1;
        if (this.sample.length < this.sampleSize) this.sample.push({ id: user.id, from });
      } else if (draftApplies && to) {
        this.shadowed.set(to.id, (this.shadowed.get(to.id) ?? 0) + 1);
      }
      // A user who stays on the edited rule (same id before and after) is no move.
      if ((from?.id ?? null) === (to?.id ?? null)) continue;
      const key = `${from?.id ?? '-'}>${to?.id ?? '-'}`;
      const move = this.moves.get(key) ?? { from, to, count: 0 };
      move.count += 1;
      this.moves.set(key, move);
    }
  }

  /** The moves, largest first. */
  movesList(): PreviewMove[] {
    return [...this.moves.values()].sort((a, b) => b.count - a.count);
  }
}

