// The admin form and the CLI describe rule fields from the catalog: every field of the rule schema has an input
// kind, shared fields are described by core, module-owned fields by their module (label, help, section, methods).
import { describe, expect, it } from 'vitest';
import { fieldFromText, fieldToText, RULE_FIELD_NAMES, ruleFormFields, ruleFormGroups } from '../../src/core/rule-form.ts';
import { parseRuleInput, ruleCatalog } from '../../src/core/rules.ts';
import { MAGIC_LINK_RULES } from '../../src/magic-link/rule.ts';
import { MFA_RULES } from '../../src/mfa/rule.ts';
import { PASSWORD_RULES } from '../../src/password/rule.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';

describe('ruleFormFields', () => {
  it('covers every field of the rule schema, each with a label and a section', () => {
    const parsed = parseRuleInput({ name: 'x', method: 'password', priority: 1, emailRegex: '.*' }, BUILTIN_CATALOG);
    expect(parsed.ok).toBe(true);
    expect([...RULE_FIELD_NAMES].sort()).toEqual(Object.keys(parsed.ok ? parsed.value : {}).sort());
    for (const f of ruleFormFields(BUILTIN_CATALOG)) {
      expect(f.label, f.name).not.toBe(f.name);
      expect(f.group, f.name).not.toBe('other');
    }
  });

  it("takes a module-owned field's label, help, section and methods from the module's declaration", () => {
    const fields = new Map(ruleFormFields(BUILTIN_CATALOG).map((f) => [f.name, f]));
    expect(fields.get('totpOrganizationName')).toMatchObject({ label: 'Issuer name in authenticator apps', group: 'mfa', methods: ['mfa'], kind: 'text' });
    expect(fields.get('organizationId')).toMatchObject({ label: 'WorkOS organization id', group: 'sso', methods: ['sso', 'GoogleOAuth', 'MicrosoftOAuth'] });
    expect(fields.get('name')).toMatchObject({ label: 'Name', group: 'rule', methods: null });
    expect(fields.get('method')!.choices).toContainEqual({ value: 'email_mfa', label: 'Password, then an emailed link (email_mfa)' });
    expect(fields.get('jitCreation')!.choices!.map((c) => c.value)).toEqual(['off', 'attributes', 'idp']);
  });

  it('without a module that owns a field, the field is every method\'s and falls into "Other options"', () => {
    const catalog = ruleCatalog([PASSWORD_RULES, MFA_RULES, MAGIC_LINK_RULES]);
    const fields = new Map(ruleFormFields(catalog).map((f) => [f.name, f]));
    expect(fields.get('connectionId')).toMatchObject({ label: 'connectionId', group: 'other', methods: null });
    expect(ruleFormGroups(catalog).map((g) => g.id)).toEqual(['rule', 'who', 'mfa', 'other']);
    expect(fields.get('method')!.choices!.map((c) => c.value)).toEqual(['password', 'mfa', 'magic', 'email_mfa']);
  });
});

describe('fieldFromText / fieldToText', () => {
  it.each([
    ['integer', ' 42 ', { ok: true, value: 42 }],
    ['integer', '-7', { ok: true, value: -7 }],
    ['integer', '4.5', { ok: false, message: 'must be a whole number, not "4.5"' }],
    ['integer', '', { ok: false, message: 'enter a whole number' }],
    ['boolean', 'yes', { ok: true, value: true }],
    ['boolean', 'false', { ok: true, value: false }],
    ['boolean', 'maybe', { ok: false, message: 'must be true or false, not "maybe"' }],
    ['list', 'Eng, Sales,\nOps,,', { ok: true, value: ['Eng', 'Sales', 'Ops'] }],
    ['json', '', { ok: true, value: {} }],
    ['json', '{"a": [1]}', { ok: true, value: { a: [1] } }],
    ['text', '  kept as typed ', { ok: true, value: '  kept as typed ' }],
    // Tri-state: empty (or "default") keeps the method's default, which is not false.
    ['tristate', '', { ok: true, value: null }],
    ['tristate', 'default', { ok: true, value: null }],
    ['tristate', 'No', { ok: true, value: false }],
    ['tristate', 'true', { ok: true, value: true }],
    ['tristate', 'maybe', { ok: false, message: 'must be true or false, not "maybe"' }],
  ] as const)('%s %j', (kind, text, expected) => {
    expect(fieldFromText(kind, text)).toEqual(expected);
  });

  it('a JSON syntax error names its line and column', () => {
    const result = fieldFromText('json', '{\n  "a": 1,\n  b\n}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^is not valid JSON: .+ \(line 3, column 3\)$/);
  });

  it('values back as text: JSON pretty, empty objects and lists empty', () => {
    expect(fieldToText('json', { a: 1 })).toBe('{\n  "a": 1\n}');
    expect(fieldToText('json', {})).toBe('');
    expect(fieldToText('list', ['a', 'b'])).toBe('a, b');
    expect(fieldToText('boolean', false)).toBe('false');
    expect(fieldToText('integer', undefined)).toBe('');
    expect(fieldToText('tristate', null)).toBe('');
    expect(fieldToText('tristate', false)).toBe('false');
  });
});
