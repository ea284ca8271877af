// Rule resolution, pure: rules are built through parseRuleInput/toLoginRule and the database question
// ("does this user match the rule's where?") is answered by a plain RuleProbe object given as input.
// Threat: item 12 — priority order is deterministic (ties broken by id), a disabled rule never matches, and with no match no rule applies (fail closed).
import { describe, expect, it } from 'vitest';
import {
  parseRuleInput,
  passwordFormForEveryone,
  resolveRule,
  sortRules,
  toLoginRule,
  type BrokenRule,
  type LoginRule,
  type LoginRuleInput,
  type RuleProbe,
  type RuleSubject,
} from '../../src/core/rules.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';
import { MAX_REGEX_INPUT } from '../../src/core/regex.ts';

function rule(id: number, input: Partial<LoginRuleInput> & { name?: string }): LoginRule {
  const parsed = parseRuleInput({ name: `rule ${id}`, method: 'password', priority: id, ...input }, BUILTIN_CATALOG);
  if (!parsed.ok) throw new Error(`bad test rule: ${JSON.stringify(parsed.issues)}`);
  return toLoginRule(id, parsed.value);
}

/** A probe answering `matchesWhere` from a set of rule ids, recording which rules it was asked about. */
function probe(matching: number[] = []): RuleProbe & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    async matchesWhere(r) {
      asked.push(r.id);
      return matching.includes(r.id);
    },
  };
}

const user = (over: Partial<Extract<RuleSubject, { kind: 'user' }>> = {}): RuleSubject => ({
  kind: 'user',
  userId: 7,
  email: 'alice@example.com',
  hasMfa: false,
  hasSso: false,
  ...over,
});
const unknown = (typed: string): RuleSubject => ({ kind: 'unknown', typed });

describe('priority order', () => {
  it('tries rules in ascending priority and the lowest matching priority wins', async () => {
    const rules = [rule(1, { priority: 30, emailRegex: '.*' }), rule(2, { priority: 10, emailRegex: '.*' }), rule(3, { priority: 20, emailRegex: '.*' })];
    const res = await resolveRule(rules, user(), probe());
    expect(res.rule?.id).toBe(2);
    expect(res.trace.map((v) => v.ruleId)).toEqual([2]);
  });

  it('skips non-matching rules in order and records each verdict in the trace', async () => {
    const rules = [
      rule(1, { priority: 30, emailRegex: '.*' }),
      rule(2, { priority: 10, emailRegex: '@other\\.org$' }),
      rule(3, { priority: 20, emailRegex: '@nope\\.org$' }),
    ];
    const res = await resolveRule(rules, user(), probe());
    expect(res.rule?.id).toBe(1);
    expect(res.trace.map((v) => [v.ruleId, v.matched])).toEqual([
      [2, false],
      [3, false],
      [1, true],
    ]);
  });

  it('breaks priority ties by id, whatever order the rules come in', async () => {
    const a = rule(5, { priority: 10, emailRegex: '.*' });
    const b = rule(4, { priority: 10, emailRegex: '.*' });
    expect((await resolveRule([a, b], user(), probe())).rule?.id).toBe(4);
    expect((await resolveRule([b, a], user(), probe())).rule?.id).toBe(4);
    expect(sortRules([a, b]).map((r) => r.id)).toEqual([4, 5]);
  });

  it('sorts negative priorities first', async () => {
    const rules = [rule(1, { priority: 0, emailRegex: '.*' }), rule(2, { priority: -5, emailRegex: '.*' })];
    expect((await resolveRule(rules, user(), probe())).rule?.id).toBe(2);
  });
});

describe('disabled rules', () => {
  // Threat: an admin disables a rule (e.g. a broken SSO connection) but users are still routed to it.
  it('never matches a disabled rule, even when every condition holds', async () => {
    const disabled = rule(1, { priority: 1, enabled: false, emailRegex: '.*', lookupAttributes: { hasMfa: true, hasSso: true, isStaff: true } });
    const fallback = rule(2, { priority: 2, emailRegex: '.*' });
    const p = probe([1]);
    const res = await resolveRule([disabled, fallback], user({ hasMfa: true, hasSso: true }), p);
    expect(res.rule?.id).toBe(2);
    expect(res.trace[0]).toEqual({ ruleId: 1, name: 'rule 1', matched: false, why: 'disabled' });
    expect(p.asked).toEqual([]);
  });

  it('never matches a disabled JIT rule for an unknown name', async () => {
    const disabled = rule(1, { method: 'sso', connectionId: 'conn_1', enabled: false, emailRegex: '.*', jitCreation: 'attributes' });
    const res = await resolveRule([disabled], unknown('new@acme.com'), probe());
    expect(res.rule).toBeNull();
    expect(res.trace).toEqual([{ ruleId: 1, name: 'rule 1', matched: false, why: 'disabled' }]);
  });
});

describe('email regex', () => {
  it('matches case-insensitively', async () => {
    const res = await resolveRule([rule(1, { emailRegex: '@ACME\\.COM$' })], user({ email: 'Bob@acme.com' }), probe());
    expect(res.rule?.id).toBe(1);
    expect(res.reason).toBe('email regex /@ACME\\.COM$/i matches "Bob@acme.com"');
  });

  it('searches unanchored: a pattern matches anywhere in the email', async () => {
    const r = rule(1, { emailRegex: 'acme' });
    expect((await resolveRule([r], user({ email: 'bob@acme.com.evil.org' }), probe())).rule?.id).toBe(1);
    expect((await resolveRule([r], user({ email: 'acme@example.com' }), probe())).rule?.id).toBe(1);
  });

  it('does not match when an anchored pattern is not satisfied', async () => {
    const res = await resolveRule([rule(1, { emailRegex: '@acme\\.com$' })], user({ email: 'bob@acme.com.evil.org' }), probe());
    expect(res.rule).toBeNull();
    expect(res.trace[0]?.why).toBe('neither lookup attributes nor the email regex match');
  });

  // Threat: an admin-entered regex is run against attacker-controlled input of any length (ReDoS).
  it('never matches an input longer than the bound, and answers quickly', async () => {
    const long = `${'a'.repeat(9_990)}@acme.com`;
    expect(long.length).toBeGreaterThan(MAX_REGEX_INPUT);
    const rules = [rule(1, { emailRegex: '.*' }), rule(2, { method: 'sso', connectionId: 'c', emailRegex: 'a', jitCreation: 'attributes' })];
    const started = performance.now();
    const asUser = await resolveRule(rules, user({ email: long }), probe());
    const asUnknown = await resolveRule(rules, unknown('a'.repeat(10_000)), probe());
    expect(performance.now() - started).toBeLessThan(100);
    expect(asUser.rule).toBeNull();
    expect(asUnknown.rule).toBeNull();
  });

  it('still matches an input right at the bound', async () => {
    const email = `${'a'.repeat(MAX_REGEX_INPUT - '@acme.com'.length)}@acme.com`;
    expect(email).toHaveLength(MAX_REGEX_INPUT);
    expect((await resolveRule([rule(1, { emailRegex: '@acme\\.com$' })], user({ email }), probe())).rule?.id).toBe(1);
  });
});

describe('hasMfa / hasSso / where: any one condition is enough (OR)', () => {
  it('hasMfa matches a user with an MFA factor and only such a user', async () => {
    const r = rule(1, { method: 'mfa', totpOrganizationName: 'Acme', lookupAttributes: { hasMfa: true } });
    const yes = await resolveRule([r], user({ hasMfa: true }), probe());
    expect(yes.rule?.id).toBe(1);
    expect(yes.reason).toBe('the user has an MFA factor (hasMfa)');
    const no = await resolveRule([r], user({ hasMfa: false, hasSso: true }), probe());
    expect(no.rule).toBeNull();
  });

  it('hasSso matches a user with an SSO identity and only such a user', async () => {
    const r = rule(1, { method: 'sso', connectionId: 'conn_1', lookupAttributes: { hasSso: true } });
    const yes = await resolveRule([r], user({ hasSso: true }), probe());
    expect(yes.rule?.id).toBe(1);
    expect(yes.reason).toBe('the user has an SSO identity (hasSso)');
    expect((await resolveRule([r], user({ hasMfa: true }), probe())).rule).toBeNull();
  });

  it('hasMfa: false in the lookup attributes does not target anyone by itself', async () => {
    const parsed = parseRuleInput({ name: 'x', method: 'password', priority: 1, lookupAttributes: { hasMfa: false } }, BUILTIN_CATALOG);
    expect(parsed).toEqual({
      ok: false,
      issues: [{ path: 'emailRegex', message: 'a rule must target someone: give an email regex, lookup attributes or JIT creation' }],
    });
  });

  it('asks the probe about the where filter (without hasMfa/hasSso) and matches when it says yes', async () => {
    const r = rule(1, { lookupAttributes: { hasMfa: true, groups: { some: { name: 'MFA' } } } });
    expect(r.where).toEqual({ groups: { some: { name: 'MFA' } } });
    const p = probe([1]);
    const res = await resolveRule([r], user(), p);
    expect(p.asked).toEqual([1]);
    expect(res.rule?.id).toBe(1);
    expect(res.reason).toBe('lookup attributes {"groups":{"some":{"name":"MFA"}}} match the user');
  });

  it('does not match when the probe says no and nothing else holds', async () => {
    const p = probe([]);
    const res = await resolveRule([rule(1, { lookupAttributes: { isStaff: true } })], user(), p);
    expect(p.asked).toEqual([1]);
    expect(res.rule).toBeNull();
  });

  it('does not ask the probe for a rule without a where filter', async () => {
    const p = probe([1]);
    await resolveRule([rule(1, { emailRegex: 'nomatch' }), rule(2, { lookupAttributes: { hasMfa: true } })], user(), p);
    expect(p.asked).toEqual([]);
  });

  it('matches by regex when where is false (OR), and by where when the regex is false', async () => {
    const r = rule(1, { emailRegex: '@acme\\.com$', lookupAttributes: { isStaff: true } });
    const byRegex = await resolveRule([r], user({ email: 'x@acme.com' }), probe([]));
    expect(byRegex.rule?.id).toBe(1);
    expect(byRegex.reason).toMatch(/^email regex/);
    const byWhere = await resolveRule([r], user({ email: 'x@other.org' }), probe([1]));
    expect(byWhere.rule?.id).toBe(1);
    expect(byWhere.reason).toMatch(/^lookup attributes/);
    expect((await resolveRule([r], user({ email: 'x@other.org' }), probe([]))).rule).toBeNull();
  });

  it('hasMfa wins on its own even if where and regex both fail', async () => {
    const r = rule(1, { method: 'mfa', totpOrganizationName: 'Acme', emailRegex: 'nomatch', lookupAttributes: { hasMfa: true, isStaff: true } });
    const p = probe([]);
    const res = await resolveRule([r], user({ hasMfa: true }), p);
    expect(res.rule?.id).toBe(1);
    // The cheaper in-memory facts are checked first: no database question was needed.
    expect(p.asked).toEqual([]);
  });

  it('hasSso wins on its own even if where and regex both fail', async () => {
    const r = rule(1, { method: 'sso', organizationId: 'org_1', emailRegex: 'nomatch', lookupAttributes: { hasSso: true, isStaff: true } });
    const res = await resolveRule([r], user({ hasSso: true }), probe([]));
    expect(res.rule?.id).toBe(1);
    expect(res.reason).toBe('the user has an SSO identity (hasSso)');
  });
});

describe('unknown usernames', () => {
  const jit = rule(2, { priority: 2, method: 'sso', connectionId: 'conn_1', emailRegex: '@acme\\.com$', jitCreation: 'attributes' });
  const everyone = rule(1, { priority: 1, emailRegex: '.*' });
  const lookups = rule(3, { priority: 3, lookupAttributes: { hasMfa: true, hasSso: true, isStaff: true } });

  it('only match JIT rules, and only when the regex matches what was typed', async () => {
    const p = probe([1, 2, 3]);
    const res = await resolveRule([everyone, jit, lookups], unknown('new.person@ACME.com'), p);
    expect(res.rule?.id).toBe(2);
    expect(res.reason).toBe('unknown username; JIT rule\'s regex /@acme\\.com$/i matches "new.person@ACME.com"');
    expect(res.trace).toEqual([
      { ruleId: 1, name: 'rule 1', matched: false, why: 'unknown username and the rule has no JIT creation' },
      { ruleId: 2, name: 'rule 2', matched: true, why: 'unknown username; JIT rule\'s regex /@acme\\.com$/i matches "new.person@ACME.com"' },
    ]);
    // An unknown name has no user row: the database filter is never consulted.
    expect(p.asked).toEqual([]);
  });

  it('fail closed when no JIT regex matches what was typed', async () => {
    const res = await resolveRule([everyone, jit, lookups], unknown('someone@other.org'), probe([1, 2, 3]));
    expect(res.rule).toBeNull();
    expect(res.reason).toBe('unknown username and no JIT rule matches it');
    expect(res.trace.map((v) => v.why)).toEqual([
      'unknown username and the rule has no JIT creation',
      'unknown username does not match the regex',
      'unknown username and the rule has no JIT creation',
    ]);
  });

  it('a JIT rule without a regex (idp mode) never matches a typed name', async () => {
    const idp = rule(4, { method: 'sso', organizationId: 'org_1', jitCreation: 'idp' });
    const res = await resolveRule([idp], unknown('anyone@acme.com'), probe());
    expect(res.rule).toBeNull();
    expect(res.trace[0]?.why).toBe('unknown username does not match the regex');
  });

  it('an existing user is judged on their own facts even by a JIT rule', async () => {
    expect((await resolveRule([jit], user({ email: 'old@acme.com' }), probe())).rule?.id).toBe(2);
    expect((await resolveRule([jit], user({ email: 'old@other.org' }), probe())).rule).toBeNull();
  });
});

describe('no match fails closed', () => {
  it('returns rule null with a reason when no rule matches a user', async () => {
    const res = await resolveRule([rule(1, { emailRegex: '@acme\\.com$' })], user(), probe());
    expect(res).toEqual({
      rule: null,
      reason: 'no rule matches this user',
      trace: [{ ruleId: 1, name: 'rule 1', matched: false, why: 'neither lookup attributes nor the email regex match' }],
      blockedBy: null,
    });
  });

  it('returns rule null with an empty trace when there are no rules', async () => {
    expect(await resolveRule([], user(), probe())).toEqual({ rule: null, reason: 'no rule matches this user', trace: [], blockedBy: null });
    expect(await resolveRule([], unknown('x'), probe())).toEqual({ rule: null, reason: 'unknown username and no JIT rule matches it', trace: [], blockedBy: null });
  });

  // Threat: H14 — a rule that cannot be judged lets its users fall through to the next rule (fail open).
  it('fails closed on a rule whose regex does not compile, instead of throwing or skipping it', async () => {
    // A rule object can only carry a broken regex if it bypassed validation; build one by hand.
    const broken: LoginRule = { ...rule(1, { emailRegex: 'x' }), emailRegex: '([' };
    const res = await resolveRule([broken, rule(2, { emailRegex: '.*' })], user(), probe());
    expect(res.rule).toBeNull();
    expect(res.blockedBy).toMatchObject({ id: 1, name: 'rule 1', issues: [{ path: 'emailRegex', message: expect.stringMatching(/^the regular expression is not valid RE2 syntax: /) as unknown as string }] });
    expect(res.trace.map((v) => [v.ruleId, v.matched])).toEqual([[1, false]]);
  });
});

describe('resolution never mutates rules', () => {
  it('gives the same answer twice and leaves every rule unchanged', async () => {
    const rules = [
      rule(1, { method: 'mfa', totpOrganizationName: 'Acme', lookupAttributes: { hasMfa: true, isStaff: true } }),
      rule(2, { method: 'sso', connectionId: 'conn_1', lookupAttributes: { hasSso: true } }),
      rule(3, { emailRegex: '.*' }),
    ];
    const before = JSON.stringify(rules);
    const subject = user({ hasMfa: true, hasSso: true });
    const first = await resolveRule(rules, subject, probe());
    const second = await resolveRule(rules, subject, probe());
    expect(first.rule?.id).toBe(1);
    expect(second).toEqual(first);
    expect(JSON.stringify(rules)).toBe(before);
    expect(rules[0]?.hasMfa).toBe(true);
    // The order given by the caller is kept (sorting works on a copy).
    expect(rules.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('rules are frozen, including where and jitGroups', () => {
    const r = rule(1, { method: 'sso', connectionId: 'c', jitCreation: 'attributes', emailRegex: 'x', jitGroups: ['G'], lookupAttributes: { isStaff: true } });
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.where)).toBe(true);
    expect(Object.isFrozen(r.jitGroups)).toBe(true);
    expect(Object.isFrozen(r.savedAttributes)).toBe(true);
  });
});

// Threat: H14 (django-workos) — a rule row that fails validation is skipped, so the users it targeted fall through
// to a lower rule: an MFA user logs in with the password alone. A broken enabled rule must fail closed.
describe('broken rules (rows that failed validation)', () => {
  const brokenRow = (id: number, priority: number, enabled = true): BrokenRule => ({
    id,
    name: `broken ${id}`,
    priority,
    enabled,
    issues: [{ path: 'emailRegex', message: 'the regular expression does not compile' }],
  });

  it('a login that reaches an enabled broken rule before any rule applies is blocked, naming the rule', async () => {
    const rules = [rule(1, { priority: 5, lookupAttributes: { isStaff: true } }), rule(2, { priority: 1000, emailRegex: '.*' })];
    const res = await resolveRule(rules, user(), probe(), [brokenRow(9, 10)]);
    expect(res.rule).toBeNull();
    expect(res.blockedBy).toEqual(brokenRow(9, 10));
    expect(res.reason).toBe(
      'rule 9 "broken 9" (priority 10) is enabled but broken (emailRegex: the regular expression does not compile); it might be this login\'s rule, so the login is refused until the rule is fixed or disabled',
    );
    expect(res.trace.map((v) => [v.ruleId, v.matched])).toEqual([
      [1, false],
      [9, false],
    ]);
  });

  it('a rule that applies before the broken one still applies', async () => {
    const rules = [rule(1, { priority: 5, lookupAttributes: { isStaff: true } }), rule(2, { priority: 1000, emailRegex: '.*' })];
    const res = await resolveRule(rules, user(), probe([1]), [brokenRow(9, 10)]);
    expect(res.rule?.id).toBe(1);
    expect(res.blockedBy).toBeNull();
  });

  it('an unknown name that no JIT rule matches passes every rule, so any enabled broken rule blocks it', async () => {
    const res = await resolveRule([rule(2, { priority: 1000, emailRegex: '.*' })], unknown('ghost'), probe(), [brokenRow(9, 2000)]);
    expect(res.rule).toBeNull();
    expect(res.blockedBy?.id).toBe(9);
  });

  it('a disabled broken rule blocks nothing and shows in the trace', async () => {
    const res = await resolveRule([rule(2, { priority: 1000, emailRegex: '.*' })], user(), probe(), [brokenRow(9, 10, false)]);
    expect(res.rule?.id).toBe(2);
    expect(res.blockedBy).toBeNull();
    expect(res.trace.map((v) => [v.ruleId, v.why])).toEqual([
      [9, 'disabled (and broken)'],
      [2, 'email regex /.*/i matches "alice@example.com"'],
    ]);
  });

  it('lookup attributes the database refuses at match time block like a broken row', async () => {
    const rules = [rule(1, { priority: 5, lookupAttributes: { nope: 1 } }), rule(2, { priority: 1000, emailRegex: '.*' })];
    const res = await resolveRule(rules, user(), { matchesWhere: async () => ({ invalid: 'Unknown argument `nope`' }) });
    expect(res.rule).toBeNull();
    expect(res.blockedBy).toEqual({ id: 1, name: 'rule 1', priority: 5, enabled: true, issues: [{ path: 'lookupAttributes', message: 'Unknown argument `nope`' }] });
  });
});

describe('passwordFormForEveryone (step 1 then skips reading the user)', () => {
  const broken = (over: Partial<BrokenRule> = {}): BrokenRule => ({ id: 99, name: 'broken', priority: 5, enabled: true, issues: [{ path: 'emailRegex', message: 'bad' }], ...over });

  it('holds with no rules, and with rules whose methods all start with the password form', () => {
    expect(passwordFormForEveryone([], [], BUILTIN_CATALOG)).toBe(true);
    const rules = [rule(1, { emailRegex: '.*' }), rule(2, { method: 'mfa', totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true } }), rule(3, { method: 'email_mfa', emailRegex: '@corp\\.test$' })];
    expect(passwordFormForEveryone(rules, [], BUILTIN_CATALOG)).toBe(true);
  });

  it('fails as soon as one enabled rule has a first step of its own (a magic link, an IdP)', () => {
    expect(passwordFormForEveryone([rule(1, { emailRegex: '.*' }), rule(2, { method: 'magic', emailRegex: '@links\\.test$' })], [], BUILTIN_CATALOG)).toBe(false);
    expect(passwordFormForEveryone([rule(1, { method: 'sso', organizationId: 'org_1', emailRegex: '@acme\\.test$' })], [], BUILTIN_CATALOG)).toBe(false);
  });

  it('ignores disabled rules, broken or not, and fails on an enabled broken one (which blocks logins)', () => {
    expect(passwordFormForEveryone([rule(1, { emailRegex: '.*' }), rule(2, { method: 'magic', emailRegex: '@x\\.test$', enabled: false })], [broken({ enabled: false })], BUILTIN_CATALOG)).toBe(true);
    expect(passwordFormForEveryone([rule(1, { emailRegex: '.*' })], [broken()], BUILTIN_CATALOG)).toBe(false);
  });

  it('fails for a rule whose method no mounted module serves', () => {
    const orphan = { ...rule(1, { emailRegex: '.*' }), method: 'gone' } as LoginRule;
    expect(passwordFormForEveryone([orphan], [], BUILTIN_CATALOG)).toBe(false);
  });
});
