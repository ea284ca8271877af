// Rule regexes run on a linear-time engine: the patterns that stalled the server for seconds (issue 9) are
// accepted and answer an anonymous step-1 POST at the length bound like any other name, while the server keeps
// serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REGEX_INPUT, ruleRegex } from '../../src/core/regex.ts';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type TestApp } from '../support/app.ts';

/** The three patterns of issue 9: about 3 s, 3 s and over 10 s per match on a backtracking engine. */
const PATTERNS = ['^\\w+[\\w.]*[\\w.-]*[\\w.+-]*@corp\\.com$', '\\w*\\w*\\w*@corp\\.com$', '^.*\\w+.*\\w+.*@corp\\.com$'];
/** The worst case for all three: a long run the patterns can split many ways, then a mismatch at the end. */
const EVIL = `${'a'.repeat(319)}@`;
/**
 * Attackers' requests sent at once per pattern. On the old engine each held the event loop for one to ten seconds,
 * so a burst outlasted the runner's own test timeout: that, not an asserted time, is how these tests failed.
 */
const BURST = 25;

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'bob', password: PASSWORD });
  // A user whose stored email is the attack string: their own rule resolution runs every pattern on it.
  await createUser(t.prisma, { username: 'mallory', email: EVIL });
});
afterAll(() => t.close());

describe('rule regexes on a linear-time engine', () => {
  it('takes the attack string right at the input bound (no length cut-off hides the test)', () => {
    expect(EVIL).toHaveLength(MAX_REGEX_INPUT);
  });

  // Threat (item 50): an administrator's regex with ambiguous quantifiers lets one anonymous POST of a crafted
  // username block the event loop for seconds, so a handful of requests take the login down for everyone.
  it.each(PATTERNS.map((p, i) => [p, i] as const))('answers step 1 at once with the rule %s in place, and keeps serving others', async (pattern, i) => {
    const rule = await t.login.rules.create({ name: `ReDoS ${i}`, method: 'password', priority: 100 + i, emailRegex: pattern });
    expect(rule.emailRegex).toBe(pattern);
    try {
      const attack = async () => {
        const agent = t.agent();
        const token = await csrf(agent);
        return agent.post('/accounts/login/').type('form').send({ _csrf: token, username: EVIL });
      };
      const asMallory = async () => {
        const agent = t.agent();
        const token = await csrf(agent);
        return agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'mallory' });
      };
      // A legitimate login runs alongside the burst and completes.
      const [bobLogin, ...answers] = await Promise.all([passwordLogin(t.agent(), 'bob', PASSWORD), asMallory(), ...Array.from({ length: BURST }, attack)]);
      expect(bobLogin.status).toBe(303);
      for (const res of answers) {
        // The same password step as any unknown name: the regex simply does not match.
        expect(res.status).toBe(200);
        expect(res.text).toContain('name="password"');
      }
      // The regex really ran on that input, and does not match it (the trace says so).
      const explained = await t.login.explain('mallory');
      expect(explained.trace.find((v) => v.name === `ReDoS ${i}`)).toMatchObject({ matched: false, why: 'neither lookup attributes nor the email regex match' });
      // And it matches a real address of the domain, so the rule is not simply dead.
      expect(ruleRegex(rule)).toMatchObject({ ok: true });
      const compiled = ruleRegex(rule);
      expect(compiled.ok && compiled.regex.test('Jane.Doe@CORP.com')).toBe(true);
    } finally {
      await t.login.rules.delete(rule.id);
    }
  });

  it('compiles a rule once, not at every login', async () => {
    await t.login.rules.create({ name: 'Corp', method: 'password', priority: 50, emailRegex: PATTERNS[0]! });
    const [first] = (await t.login.rules.list()).filter((r) => r.name === 'Corp');
    await passwordLogin(t.agent(), 'bob', PASSWORD);
    const [second] = (await t.login.rules.list()).filter((r) => r.name === 'Corp');
    // The store hands out the same rule object until the rules change, and the compiled regex lives on it.
    expect(second).toBe(first);
    const a = ruleRegex(first!);
    const b = ruleRegex(second!);
    expect(a.ok && b.ok && a.regex === b.regex).toBe(true);
  });
});
