// Threat: H13 (django-workos) — email regexes are searched, not matched whole, so an unanchored domain pattern
// such as `@partner\.com` also matches `x@partner.com.evil.net`, an address anyone can register. The pattern keeps
// its meaning, but validation warns (never refuses) when a domain after `@` is not anchored with `$`.
import { describe, expect, it } from 'vitest';
import { compileRuleRegex, regexMatches } from '../../src/core/regex.ts';
import { emailRegexWarnings } from '../../src/core/rule-warnings.ts';
import { parseRuleInput, toLoginRule } from '../../src/core/rules.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';

const flagged = (pattern: string) => emailRegexWarnings(pattern).map((w) => w.message.split(' does not end with $')[0]);

describe('unanchored domain patterns', () => {
  it('the hole: an unanchored domain also matches a longer domain (search semantics are kept)', () => {
    const compiled = compileRuleRegex('@partner\\.com');
    expect(compiled.ok).toBe(true);
    if (compiled.ok) expect(regexMatches(compiled.regex, 'x@partner.com.evil.net')).toBe(true);
  });

  it.each([
    ['@partner\\.com', ['/@partner\\.com/']],
    ['^.+@partner\\.com', ['/^.+@partner\\.com/']],
    ['@[a-z]+\\.partner\\.com', ['/@[a-z]+\\.partner\\.com/']],
    ['@partner\\.com\\b', ['/@partner\\.com\\b/']],
    ['@partner\\.com\\$', ['/@partner\\.com\\$/']],
    ['@a\\.com$|@b\\.org', ['/@b\\.org/']],
    ['(@a\\.com|@b\\.com)', ['/@a\\.com/, /@b\\.com/']],
    ['(?:@a\\.com$|@b\\.com)', ['/@b\\.com/']],
  ])('%s is flagged', (pattern, expected) => {
    expect(flagged(pattern)).toEqual(expected);
  });

  it.each(['@partner\\.com$', '^.+@(acme|acme-eu)\\.com$', '(@a\\.com|@b\\.com)$', '@a\\.com$|@b\\.org$', '@partner\\.com\\\\$', '.*', '@.*', 'admin', ''])(
    '%s is not flagged',
    (pattern) => {
      expect(emailRegexWarnings(pattern)).toEqual([]);
    },
  );

  it('says what is wrong and how to fix it, with a stable code and the field', () => {
    expect(emailRegexWarnings('@partner\\.com')).toEqual([
      {
        path: 'emailRegex',
        code: 'regex_unanchored_domain',
        message:
          '/@partner\\.com/ does not end with $: the regex is searched in the email, so it also matches addresses that merely contain the domain ' +
          '(for example /@partner\\.com/ matches x@partner.com.evil.net). End the domain with $, as in /@partner\\.com$/.',
      },
    ]);
  });
});

describe('a rule with an unanchored regex', () => {
  it('is valid (a warning is not an error) and carries the warning', () => {
    const parsed = parseRuleInput({ name: 'Partners', method: 'magic', priority: 40, emailRegex: '@partner\\.com' }, BUILTIN_CATALOG);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const rule = toLoginRule(1, parsed.value);
    expect(rule.warnings.map((w) => w.code)).toEqual(['regex_unanchored_domain']);
    expect(Object.isFrozen(rule.warnings)).toBe(true);
  });

  it('an anchored rule carries none', () => {
    const parsed = parseRuleInput({ name: 'Partners', method: 'magic', priority: 40, emailRegex: '@partner\\.com$' }, BUILTIN_CATALOG);
    expect(parsed.ok && toLoginRule(1, parsed.value).warnings).toEqual([]);
  });
});
