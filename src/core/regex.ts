// Admin-entered regexes run against user input. Input is bounded in length and compiled patterns are
// cached; patterns with nested quantifiers (the usual catastrophic-backtracking shapes) are refused on save.

export const MAX_REGEX_INPUT = 320; // RFC 5321 caps an address at 254; usernames are shorter still.
const MAX_PATTERN_LENGTH = 500;

const cache = new Map<string, RegExp>();

export type RegexCheck = { ok: true; regex: RegExp } | { ok: false; reason: string };

/** Compiles a rule's email regex the way Django did: case-insensitive, unanchored search. */
export function compileRuleRegex(pattern: string): RegexCheck {
  const cached = cache.get(pattern);
  if (cached) return { ok: true, regex: cached };
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `is longer than ${MAX_PATTERN_LENGTH} characters` };
  if (hasNestedQuantifier(pattern)) {
    return { ok: false, reason: 'has a nested quantifier such as (a+)+ that can stall the server' };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'i');
  } catch (err) {
    return { ok: false, reason: `does not compile: ${(err as Error).message}` };
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, regex);
  return { ok: true, regex };
}

/** Tests bounded input: anything longer than an email address can be never matches. */
export function regexMatches(regex: RegExp, input: string): boolean {
  if (input.length > MAX_REGEX_INPUT) return false;
  return regex.test(input);
}

// A group that contains a quantifier and is itself quantified: (a+)+, (a*)*, (\w+\s?)*, (a|aa)+ ...
function hasNestedQuantifier(pattern: string): boolean {
  const stack: { quantified: boolean; alternation: boolean }[] = [];
  let escaped = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escaped) {
      escaped = false;
      continue;
    }
    if (ch === '\\') {
      escaped = true;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push({ quantified: false, alternation: false });
    else if (ch === '|' && stack.length) stack[stack.length - 1]!.alternation = true;
    else if (ch === ')') {
      const group = stack.pop();
      const nextCh = pattern[i + 1];
      const groupQuantified = nextCh === '*' || nextCh === '+' || nextCh === '{';
      if (group && groupQuantified && (group.quantified || group.alternation)) return true;
      if (group?.quantified && stack.length) stack[stack.length - 1]!.quantified = true;
    } else if ((ch === '*' || ch === '+' || ch === '{') && stack.length) {
      stack[stack.length - 1]!.quantified = true;
    }
  }
  return false;
}
