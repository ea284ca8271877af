// The text every match of a rule regex must contain: the admin preview asks the database for the users whose email
// contains it, and a compiled rule regex checks it before running RE2 (a plain `includes` is ~10x cheaper, and
// most emails fail it). Pure.

/** ASCII letters that Unicode case folding also matches with a non-ASCII character. */
const FOLDS_TO_NON_ASCII = new Set(['k', 's']);

/**
 * A piece of text every string the pattern matches must contain (lower-case ASCII, at least two characters), or
 * null when there is none to rely on. The database narrows a preview with it (`contains`, ignoring case); the regex
 * itself still decides. Rule regexes run on RE2 with Unicode case folding, where `k` also matches the Kelvin sign
 * (U+212A) and `s` the long s (U+017F): those two letters are not relied on, every other ASCII character is.
 */
export function requiredText(pattern: string): string | null {
  const runs: string[] = [];
  let run = '';
  const end = () => {
    if (run.length >= 2) runs.push(run);
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    let literal: string | null = null;
    if (ch === '\\') {
      const escaped = pattern[++i];
      // `\.`, `\-`, `\@` are the character; `\d`, `\w`, `\b`, `\1`… are not one known character.
      if (escaped !== undefined && /[^A-Za-z0-9]/.test(escaped) && escaped.charCodeAt(0) < 128) literal = escaped;
      // Skip what an escape takes with it (`\x41`, `\u0041`, `\u{41}`, `\cM`, `\k<name>`, `\p{L}`, `\12`).
      else if (escaped === 'x') i = pattern[i + 1] === '{' ? Math.max(i, pattern.indexOf('}', i)) : i + 2;
      else if (escaped === 'u' || escaped === 'p' || escaped === 'P') i = pattern[i + 1] === '{' ? Math.max(i, pattern.indexOf('}', i)) : i + (escaped === 'u' ? 4 : 0);
      else if (escaped === 'c') i += 1;
      else if (escaped === 'k') i = Math.max(i, pattern.indexOf('>', i));
      else if (escaped !== undefined && /[0-9]/.test(escaped)) while (/[0-9]/.test(pattern[i + 1] ?? '')) i++;
    } else if (ch === '|') {
      return null; // an alternative may contain none of the text
    } else if (ch === '[') {
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (ch === '{') {
      while (i < pattern.length && pattern[i] !== '}') i++; // a quantifier's bounds
    } else if (ch === '(') {
      // Skip the group: what it contains may be optional or alternative.
      let depth = 0;
      for (; i < pattern.length; i++) {
        if (pattern[i] === '\\') i++;
        else if (pattern[i] === '(') depth++;
        else if (pattern[i] === ')' && --depth === 0) break;
      }
    } else if (!'.^$*+?{}'.includes(ch) && ch.charCodeAt(0) >= 32 && ch.charCodeAt(0) < 128 && !FOLDS_TO_NON_ASCII.has(ch.toLowerCase())) {
      literal = ch.toLowerCase();
    }
    const quantifier = pattern[i + 1];
    if (literal === null) {
      end();
      continue;
    }
    if (quantifier === '*' || quantifier === '?' || (quantifier === '{' && /^\{0[,}]/.test(pattern.slice(i + 1)))) {
      end(); // the character may be absent
      continue;
    }
    run += literal;
    if (quantifier === '+' || quantifier === '{') end(); // repeated: what follows is not adjacent
  }
  end();
  if (runs.length === 0) return null;
  return runs.reduce((a, b) => (b.length > a.length ? b : a));
}
