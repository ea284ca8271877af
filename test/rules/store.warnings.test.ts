// Threat: H13 (django-workos) — an unanchored email regex (`@partner\.com`) routes `x@partner.com.evil.net`, an
// address anyone can register, to the partners' rule, and nothing tells the administrator. The rule API keeps
// Django's search semantics but returns warnings, apart from errors, wherever a rule is seen: create, update,
// get, list, validate and explain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../src/index.ts';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';

let t: TestApp;
let partnersId: number;

const UNANCHORED = { path: 'emailRegex', code: 'regex_unanchored_domain', message: expect.stringContaining('/@partner\\.com/ does not end with $') as unknown as string };

beforeAll(async () => {
  t = await createTestApp({ config: { emailLookup: true } });
  await createUser(t.prisma, { username: 'intruder', email: 'x@partner.com.evil.net' });
  await createUser(t.prisma, { username: 'plain', email: 'plain@example.test' });
});
afterAll(() => t.close());

describe('the rule API', () => {
  it('create saves the rule and returns it with its warnings', async () => {
    const rule = await t.login.rules.create({ name: 'Partners', method: 'magic', priority: 40, emailRegex: '@partner\\.com' });
    partnersId = rule.id;
    expect(rule.warnings).toEqual([UNANCHORED]);
    expect(await t.prisma.loginRule.count({ where: { name: 'Partners' } })).toBe(1);
  });

  it('get and list carry the warnings of the stored rule', async () => {
    expect((await t.login.rules.get(partnersId))?.warnings).toEqual([UNANCHORED]);
    const listed = await t.login.rules.list();
    expect(listed.find((r) => r.id === partnersId)?.warnings).toEqual([UNANCHORED]);
    expect(listed.find((r) => r.name === 'Username/password login')?.warnings).toEqual([]);
  });

  it('validate returns the warnings without saving; errors still throw, apart from warnings', async () => {
    const before = await t.prisma.loginRule.count();
    const checked = await t.login.rules.validate({ name: 'Draft', method: 'magic', priority: 41, emailRegex: '@partner\\.com' });
    expect(checked.warnings).toEqual([UNANCHORED]);
    expect(checked.emailRegex).toBe('@partner\\.com');
    expect((await t.login.rules.validate({ name: 'Draft', method: 'magic', priority: 41, emailRegex: '@partner\\.com$' })).warnings).toEqual([]);
    const error = await t.login.rules.validate({ name: 'Draft', method: 'magic', priority: 41, emailRegex: '([' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleValidationError);
    expect((error as RuleValidationError).issues.map((i) => i.path)).toEqual(['emailRegex']);
    expect(await t.prisma.loginRule.count()).toBe(before);
  });

  it('explain shows that the rule matching a look-alike domain is unanchored', async () => {
    const e = await t.login.explain('x@partner.com.evil.net');
    // Django's semantics are kept: the search matches, so the rule applies...
    expect(e.rule?.id).toBe(partnersId);
    expect(e.rule?.warnings).toEqual([UNANCHORED]);
    // ...and explain lists every rule with warnings, whoever is asked about.
    expect(e.warnings).toEqual([{ ruleId: partnersId, name: 'Partners', warnings: [UNANCHORED] }]);
    expect((await t.login.explain('plain')).warnings).toEqual(e.warnings);
  });

  it('update with an anchored regex clears the warnings everywhere', async () => {
    const fixed = await t.login.rules.update(partnersId, { name: 'Partners', method: 'magic', priority: 40, emailRegex: '@partner\\.com$' });
    expect(fixed.warnings).toEqual([]);
    const e = await t.login.explain('x@partner.com.evil.net');
    expect(e.warnings).toEqual([]);
    expect(e.rule?.name).toBe('Username/password login');
  });

  it('a rule written straight to the database gets its warnings when loaded', async () => {
    await t.prisma.loginRule.create({ data: { name: 'Raw', method: 'magic', priority: 42, emailRegex: '@raw\\.test|@other\\.test$' } });
    t.login.rules.invalidate();
    const raw = (await t.login.rules.list()).find((r) => r.name === 'Raw');
    expect(raw?.warnings.map((w) => w.message.split(' does not end')[0])).toEqual(['/@raw\\.test/']);
  });
});
