// Admin-entered regexes run against user input, so they run on RE2 (re2js): matching time grows linearly with
// the input whatever the pattern, where a backtracking engine (JS RegExp, Python's re) can take seconds on
// `^\w+[\w.]*[\w.-]*@corp\.com$` and 320 characters. RE2 has no backreferences or lookaround; patterns that use
// them are refused on save with a message that says so. Input stays bounded in length as well.
import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';
import { requiredText } from './required-text.ts';

export const MAX_REGEX_INPUT = 320; // RFC 5321 caps an address at 254; usernames are shorter still.
const MAX_PATTERN_LENGTH = 500;

/** A compiled rule regex: Django's semantics (case-insensitive, unanchored search) on a linear-time engine. */
export interface RuleRegex {
  readonly source: string;
  test(input: string): boolean;
}

export type RegexCheck = { ok: true; regex: RuleRegex } | { ok: false; reason: string };

// A resolution tests one email against every rule in turn: lower-case it once, not once per rule.
let lastInput = '';
let lastLowered = '';
function lowered(input: string): string {
  if (input !== lastInput) {
    lastInput = input;
    lastLowered = input.toLowerCase();
  }
  return lastLowered;
}

/** Compiles a rule's email regex the way Django did: case-insensitive, unanchored search. */
export function compileRuleRegex(pattern: string): RegexCheck {
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `is longer than ${MAX_PATTERN_LENGTH} characters` };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    if (err instanceof RE2JSSyntaxException) return { ok: false, reason: unsupported(err, pattern) };
    if (err instanceof RE2JSException) return { ok: false, reason: `does not compile: ${err.message}` };
    throw err;
  }
  // Every match contains `text` (ignoring ASCII case), so an input without it is refused without running RE2.
  // Lower-casing changes no ASCII character but A–Z, so it cannot hide the text.
  const text = requiredText(pattern);
  const test = text === null ? (input: string) => compiled.test(input) : (input: string) => lowered(input).includes(text) && compiled.test(input);
  return { ok: true, regex: { source: pattern, test } };
}

// One compiled regex per rule object: the rule store keeps its LoginRule objects for as long as the rules do not
// change, so a login never compiles, and a changed rule (a new object) never sees a stale regex. The pattern is
// kept with it in case a caller's (unfrozen) object is edited.
const perRule = new WeakMap<object, { pattern: string; check: RegexCheck }>();

/** The compiled regex of a rule (memoised on the rule object), or why it does not compile. */
export function ruleRegex(rule: { readonly emailRegex: string }): RegexCheck {
  const memo = perRule.get(rule);
  if (memo && memo.pattern === rule.emailRegex) return memo.check;
  const check = compileRuleRegex(rule.emailRegex);
  perRule.set(rule, { pattern: rule.emailRegex, check });
  return check;
}

/** Hands the regex compiled while validating a draft to the rule made from it, so a snapshot compiles once. */
export function shareRuleRegex(from: { readonly emailRegex: string }, to: { readonly emailRegex: string }): void {
  const memo = perRule.get(from);
  if (memo && memo.pattern === to.emailRegex) perRule.set(to, memo);
}

/** Tests bounded input: anything longer than an email address can be never matches. */
export function regexMatches(regex: RuleRegex, input: string): boolean {
  if (input.length > MAX_REGEX_INPUT) return false;
  return regex.test(input);
}

const RE2_ONLY = 'rule regexes use RE2 syntax, which runs in linear time and has no backreferences or lookaround';

/** A syntax error as an administrator can act on it: name the construct RE2 lacks, else quote RE2's message. */
function unsupported(err: RE2JSSyntaxException, pattern: string): string {
  const where = err.getPattern() ?? '';
  const construct =
    /^\\[1-9kg]/.test(where) ? `a backreference (${where.slice(0, 2)})`
    : where === '(?P' && pattern.includes('(?P=') ? 'a backreference (?P=…)'
    : where.startsWith('(?=') ? 'a lookahead (?=…)'
    : where.startsWith('(?!') ? 'a negative lookahead (?!…)'
    : where.startsWith('(?<=') ? 'a lookbehind (?<=…)'
    : where.startsWith('(?<!') ? 'a negative lookbehind (?<!…)'
    : where.startsWith('(?>') ? 'an atomic group (?>…)'
    : /[*+?}]\+$/.test(where) && err.getDescription().includes('nested repetition') ? `a possessive quantifier (${where})`
    : null;
  if (construct) return `uses ${construct}: ${RE2_ONLY}`;
  if (where.startsWith('\\Z')) return 'uses \\Z: RE2 has no \\Z; use $ or \\z for the end of the input';
  return `is not valid RE2 syntax: ${err.getDescription()}${where ? ` in \`${where}\`` : ''}`;
}
