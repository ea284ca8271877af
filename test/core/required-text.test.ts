// requiredText: the database narrows a preview to emails containing this text, and a compiled rule regex refuses
// inputs without it before running RE2, so every string the regex matches must contain it (ignoring ASCII case);
// otherwise a preview would miss users and a login could get the wrong rule.
import { describe, expect, it } from 'vitest';
import { requiredText } from '../../src/core/required-text.ts';
import { RE2JS } from 're2js';
import { compileRuleRegex, regexMatches } from '../../src/core/regex.ts';

const PATTERNS = [
  '@acme\\.test$',
  '^.+@(acme|acme-eu)\\.test$',
  '@acm?e\\.com',
  'ab+c@x',
  '\\d+@corp\\.test',
  '[abc]xyz@q',
  'xx{0,2}yz',
  '^[^@]+@ACME\\.Test$',
  '\\x{41}bc@x',
  '\\x41zz@acme',
  '(a)+@acme\\.test',
  'bob\\.?smith@',
  '^admin@',
  'K@kelvin\\.test',
  's@long\\.test',
  'a.c@d',
  'a*b*@c\\.d',
  '(?:x|y)z@w',
];

describe('requiredText', () => {
  it('finds the text a domain regex needs', () => {
    expect(requiredText('@acme\\.test$')).toBe('@acme.te');
    expect(requiredText('^[^@]+@ACME\\.Test$')).toBe('@acme.te');
    expect(requiredText('^.+@(acme|acme-eu)\\.test$')).toBe('.te');
    expect(requiredText('.*')).toBeNull();
    expect(requiredText('@a\\.test|@b\\.test')).toBeNull();
    // RE2 folds k with the Kelvin sign and s with the long s, so neither is relied on.
    expect(requiredText('@kelvin\\.test$')).toBe('elvin.te');
    expect(requiredText('\\x{41}bc@x')).toBe('bc@x');
  });

  it('every match contains it, whatever the case (random strings and near-misses); the compiled rule regex, which checks it first, answers as RE2 alone does', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const alphabet = 'abcxyzAKSmtse@.-_1230\u212Aſ\u00e9';
    for (const pattern of PATTERNS) {
      const compiled = compileRuleRegex(pattern);
      expect(compiled.ok, pattern).toBe(true);
      if (!compiled.ok) continue;
      const text = requiredText(pattern);
      const samples: string[] = [];
      for (let i = 0; i < 3000; i++) samples.push(Array.from({ length: 1 + rand(14) }, () => alphabet[rand(alphabet.length)]).join(''));
      // Strings built to match: the pattern's own literal parts in mixed case, with noise around them.
      for (const seedText of ['bob@acme.test', 'BOB@ACME.TEST', 'x@acme-eu.test', 'bob@ace.com', 'abbbc@x', '42@corp.test', 'cxyz@q', 'xxyz', 'Abc@x', 'AZZ@acme', 'aa@acme.test', 'bobsmith@', 'admin@x', 'k@kelvin.test', '\u212A@kelvin.test', 'S@LONG.TEST', 'ſ@long.test', 'abc@d', 'aab@c.d', 'xz@w', 'YZ@W']) {
        samples.push(seedText, `q${seedText}r`, seedText.toUpperCase());
      }
      // RE2 itself, without the text check compileRuleRegex puts in front of it.
      const re2 = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
      let matched = 0;
      for (const s of samples) {
        const matches = re2.test(s);
        if (matches) {
          matched++;
          expect(text === null || asciiLower(s).includes(text), `${pattern} matched ${JSON.stringify(s)} without ${text}`).toBe(true);
        }
        expect(regexMatches(compiled.regex, s), `${pattern} on ${JSON.stringify(s)}`).toBe(matches);
      }
      expect(matched, `${pattern} matched none of the samples`).toBeGreaterThan(0);
    }
  });
});

/** What SQL's case-insensitive LIKE compares: ASCII letters folded, everything else as is. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
