// docs/login-rules.md stays true: its lookup examples are valid filters on the real user model, `login.explain`
// answers as shown on the example app's rules, and the default rule is the one seedDefaultRule creates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRuleInput } from '../../src/core/rules.ts';
import { DEFAULT_RULE } from '../../src/index.ts';
import { seedDemo } from '../../examples/basic/seed.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';
import { blocksFor, docText } from './support.ts';

const doc = docText('docs/login-rules.md');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDemo(t.prisma as never, t.login);
});
afterAll(() => t.close());

describe('docs/login-rules.md', () => {
  it('every JSON block is a valid lookup filter on the real user model', async () => {
    const blocks = blocksFor('lookupAttributes');
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const [i, block] of blocks.entries()) {
      const input = { name: `docs ${i}`, method: 'password' as const, priority: 500 + i, lookupAttributes: JSON.parse(block.code) as Record<string, unknown> };
      expect(parseRuleInput(input, BUILTIN_CATALOG).ok, block.code).toBe(true);
      await expect(t.login.rules.validate(input)).resolves.toBeTruthy();
    }
  });

  it('explain() answers as shown', async () => {
    const login = t.login;
    const { rule, reason } = await login.explain('alice@foo-corp.com');
    // rule?.name === 'Foo Corp SAML' (a JIT rule: alice has no account yet)
    expect(rule?.name).toBe('Foo Corp SAML');
    expect(reason).toContain('@foo-corp');
  });

  it('an unanchored regex is saved with a warning, as shown', async () => {
    const login = t.login;
    const partners = await login.rules.create({ name: 'Partners', method: 'magic', priority: 45, emailRegex: '@partner\\.com' });
    // partners.warnings[0].code === 'regex_unanchored_domain': end the domain with $ ('@partner\\.com$')
    expect(partners.warnings[0]?.code).toBe('regex_unanchored_domain');
    expect(partners.warnings[0]?.message).toContain('End the domain with $');
    expect(doc).toContain('the one code today is\n`regex_unanchored_domain`');
    await login.rules.delete(partners.id);
  });

  it('describes the default rule as it is', () => {
    expect(DEFAULT_RULE).toEqual({ name: 'Username/password login', method: 'password', priority: 1000, emailRegex: '.*' });
    expect(doc).toContain('"Username/password login" (method `password`, priority 1000, regex `.*`)');
  });
});
