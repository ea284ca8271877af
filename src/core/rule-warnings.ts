// Warnings about a rule that is valid but probably not what its author meant. They never refuse a save (the
// regex keeps Django's case-insensitive *search* semantics); the rule API, `explain` and the rule objects carry them.

/** A finding about a valid rule: it is saved and used, but it may match more than its author meant. */
export interface RuleWarning {
  /** The rule field, as in `RuleIssue.path`. */
  readonly path: string;
  /** Stable, for hosts that switch on it. */
  readonly code: 'regex_unanchored_domain';
  readonly message: string;
}

/** Calls `visit` with each character outside escapes and character classes (and its index) until it returns false. */
function eachStructural(pattern: string, visit: (c: string, i: number) => boolean | void): void {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (visit(c, i) === false) return;
  }
}

/**
 * The top-level alternatives of a pattern (split on `|` outside groups and character classes), as written.
 * Escapes are kept; an unbalanced pattern (which never gets this far: it does not compile) is split as far as it goes.
 */
function topLevelAlternatives(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  eachStructural(pattern, (c, i) => {
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === '|' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  });
  parts.push(pattern.slice(start));
  return parts;
}

/** An `@` followed by something that names a domain: a letter, digit, escape, class or group (not `.` or `.*`). */
const NAMES_A_DOMAIN = /@(?:\\.|[\w([])/;

/** The inside of an alternative that is one group, `(…)` or `(?:…)`, else null. */
function innerGroup(alternative: string): string | null {
  if (!alternative.startsWith('(') || !alternative.endsWith(')')) return null;
  let depth = 0;
  let closes = -1;
  eachStructural(alternative, (c, i) => {
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      closes = i;
      return false;
    }
  });
  return closes === alternative.length - 1 ? alternative.slice(alternative.startsWith('(?:') ? 3 : 1, -1) : null;
}

/** The alternatives that name a domain but leave its end open; a whole-group alternative is looked into. */
function looseAlternatives(pattern: string): string[] {
  return topLevelAlternatives(pattern).flatMap((alt) => {
    const trimmed = alt.trim();
    const inner = innerGroup(trimmed);
    if (inner !== null) return looseAlternatives(inner);
    return NAMES_A_DOMAIN.test(trimmed) && !endsWithDollar(trimmed) ? [trimmed] : [];
  });
}

/** Whether an alternative ends with an unescaped `$` (the only end anchor rule regexes have). */
function endsWithDollar(alternative: string): boolean {
  if (!alternative.endsWith('$')) return false;
  let backslashes = 0;
  for (let i = alternative.length - 2; i >= 0 && alternative[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

/**
 * Email regexes are searched, not matched whole (Django's semantics): `@partner\.com` also matches
 * `x@partner.com.evil.net`. Every top-level alternative that names a domain after `@` should end with `$`.
 */
export function emailRegexWarnings(pattern: string): RuleWarning[] {
  if (!pattern) return [];
  const loose = looseAlternatives(pattern);
  if (loose.length === 0) return [];
  return [
    {
      path: 'emailRegex',
      code: 'regex_unanchored_domain',
      message:
        `${loose.map((alt) => `/${alt}/`).join(', ')} does not end with $: the regex is searched in the email, so it also ` +
        'matches addresses that merely contain the domain (for example /@partner\\.com/ matches x@partner.com.evil.net). ' +
        'End the domain with $, as in /@partner\\.com$/.',
    },
  ];
}

/** Every warning about a rule's fields. */
export function ruleWarnings(rule: { readonly emailRegex: string }): RuleWarning[] {
  return emailRegexWarnings(rule.emailRegex);
}
