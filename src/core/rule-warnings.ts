// Warnings about a rule that is valid but probably not what its author meant. They never block a save: the admin
// shows them beside the form, the CLI prints them, the API returns them apart from the errors. Pure.
import type { RuleDraft, RuleIssue } from './rules.ts';

/** What is worth a second look in a valid rule. */
export function ruleWarnings(rule: Pick<RuleDraft, 'emailRegex'>): RuleIssue[] {
  const warnings: RuleIssue[] = [];
  if (rule.emailRegex && topLevelAlternatives(rule.emailRegex).some((alt) => !anchoredAtEnd(alt) && !matchesEverything(alt))) {
    warnings.push({
      path: 'emailRegex',
      message:
        'is not anchored at the end: it also matches addresses that merely contain it (for @acme\\.com, someone@acme.com.example.org); end it with $',
    });
  }
  return warnings;
}

/** `a|b` split at the `|`s that are outside groups and character classes. */
function topLevelAlternatives(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === '|' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start));
  return parts;
}

/** Ends with a `$` that is not escaped. */
function anchoredAtEnd(alternative: string): boolean {
  if (!alternative.endsWith('$')) return false;
  let backslashes = 0;
  for (let i = alternative.length - 2; i >= 0 && alternative[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** `.*`, `^.*$`, `.+` and the like: anchoring changes nothing. */
const matchesEverything = (alternative: string): boolean => /^\^?\.[*+]\$?$/.test(alternative);
