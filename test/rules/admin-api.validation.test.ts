// `login.rules.check(input)`: every field and constraint of a rule is validated the way a save validates it, and each
// error names its field (nested keys for JSON fields); warnings (an unanchored regex) are kept apart and never block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleValidationError, type LoginRuleInput } from '../../src/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ rules: [{ name: 'Taken', method: 'password', priority: 40, emailRegex: '@taken\\.test$' }] });
  await t.prisma.group.create({ data: { name: 'Engineering' } });
});
afterAll(() => t.close());

const base = { name: 'Draft', method: 'password', priority: 41, emailRegex: '@draft\\.test$' } satisfies LoginRuleInput;
const sso = { ...base, method: 'sso', connectionId: 'conn_1' };

/** [what, input, field, message] — the input is checked as a new rule. */
const CASES: [string, Record<string, unknown>, string, RegExp][] = [
  ['name missing', { ...base, name: undefined }, 'name', /expected string/],
  ['name blank', { ...base, name: '   ' }, 'name', /expected string to have >=1 characters/],
  ['name too long', { ...base, name: 'n'.repeat(201) }, 'name', /expected string to have <=200 characters/],
  ['name taken', { ...base, name: 'Taken' }, 'name', /a rule named "Taken" already exists/],
  ['method missing', { ...base, method: undefined }, 'method', /expected string/],
  ['method unknown', { ...base, method: 'carrier-pigeon' }, 'method', /unknown login method "carrier-pigeon"; expected one of password, mfa, magic, email_mfa, sso, GoogleOAuth, MicrosoftOAuth/],
  ['priority missing', { ...base, priority: undefined }, 'priority', /expected number/],
  ['priority not whole', { ...base, priority: 1.5 }, 'priority', /expected int/],
  ['priority as text', { ...base, priority: '41' }, 'priority', /expected number/],
  ['priority too large', { ...base, priority: 2 ** 31 }, 'priority', /2147483647/],
  ['priority taken', { ...base, priority: 40 }, 'priority', /another rule already has priority 40/],
  ['enabled not a boolean', { ...base, enabled: 'yes' }, 'enabled', /expected boolean/],
  ['regex does not compile', { ...base, emailRegex: '(unclosed' }, 'emailRegex', /is not valid RE2 syntax/],
  ['regex needs backtracking (a backreference)', { ...base, emailRegex: '^(a+)\\1@x\\.test$' }, 'emailRegex', /uses a backreference \(\\1\): rule regexes use RE2 syntax/],
  ['regex needs backtracking (lookahead)', { ...base, emailRegex: '^(?!admin)@x\\.test$' }, 'emailRegex', /uses .*look.*RE2 syntax/],
  ['regex too long', { ...base, emailRegex: `^${'a'.repeat(501)}$` }, 'emailRegex', /expected string to have <=500 characters/],
  ['targets nobody', { ...base, emailRegex: '' }, 'emailRegex', /a rule must target someone/],
  ['lookup not an object', { ...base, lookupAttributes: [1] }, 'lookupAttributes', /expected record|expected object/],
  ['lookup is broken JSON text', { ...base, lookupAttributes: '{"isStaff": tru' }, 'lookupAttributes', /expected record|expected object/],
  ['lookup hasMfa not boolean', { ...base, lookupAttributes: { hasMfa: 'yes' } }, 'lookupAttributes', /hasMfa must be true or false/],
  ['lookup hasSso not boolean', { ...base, lookupAttributes: { hasSso: 1 } }, 'lookupAttributes', /hasSso must be true or false/],
  ['lookup pollutes prototypes', { ...base, lookupAttributes: JSON.parse('{"__proto__": {"x": 1}}') as object }, 'lookupAttributes.__proto__', /key "__proto__" is not allowed/],
  ['lookup is no filter on User', { ...base, lookupAttributes: { shoeSize: 42 } }, 'lookupAttributes', /not a valid filter on the user model/],
  ['connection on a password rule', { ...base, connectionId: 'conn_1' }, 'connectionId', /only for SSO methods/],
  ['organization on a password rule', { ...base, organizationId: 'org_1' }, 'connectionId', /only for SSO methods/],
  ['sso without connection or organization', { ...base, method: 'sso' }, 'connectionId', /needs a connection id or an organization id/],
  ['sso with both', { ...sso, organizationId: 'org_1' }, 'organizationId', /not both/],
  ['jit mode unknown', { ...sso, jitCreation: 'always' }, 'jitCreation', /expected one of "off"\|"attributes"\|"idp"/],
  ['jit on a password rule', { ...base, jitCreation: 'attributes' }, 'jitCreation', /only for SSO methods/],
  ['jit groups on a password rule', { ...base, jitGroups: ['Engineering'] }, 'jitGroups', /only for SSO methods/],
  ['jit group that does not exist', { ...sso, jitCreation: 'attributes', jitGroups: ['Engineering', 'Nope'] }, 'jitGroups', /unknown group\(s\): Nope/],
  ['saved attributes on a password rule', { ...base, savedAttributes: { firstName: 'x' } }, 'savedAttributes', /only for SSO methods/],
  ['saved attribute not on the model', { ...sso, savedAttributes: { shoeSize: '{{profile.first_name}}' } }, 'savedAttributes.shoeSize', /.+/],
  ['saved attribute template refused', { ...sso, savedAttributes: { firstName: '{{ process.env.SECRET }}' } }, 'savedAttributes.firstName', /.+/],
  ['saved attributes pollute prototypes', { ...sso, savedAttributes: JSON.parse('{"profile": {"constructor": "x"}}') as object }, 'savedAttributes.profile.constructor', /not allowed/],
  ['totp issuer missing on mfa', { ...base, method: 'mfa' }, 'totpOrganizationName', /is required for the mfa method/],
  ['totp issuer on a password rule', { ...base, totpOrganizationName: 'Acme' }, 'totpOrganizationName', /only used by the mfa method/],
  ['IdP-initiated on a password rule', { ...base, allowIdpInitiated: true }, 'allowIdpInitiated', /only for SSO methods/],
  ['a field no rule has', { ...base, colour: 'blue' }, '(rule)', /Unrecognized key/],
];

describe('check(): each field and constraint, with its field named', () => {
  it.each(CASES)('%s', async (_what, input, field, message) => {
    const result = await t.login.rules.check(input as LoginRuleInput);
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => e.path)).toContain(field);
    expect(result.errors.find((e) => e.path === field)!.message).toMatch(message);
    // The same input is refused on save, with the same field named, and nothing is saved.
    const err = await t.login.rules.create(input as LoginRuleInput).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleValidationError);
    expect((err as RuleValidationError).issues.map((i) => i.path)).toContain(field);
  });

  it('a valid rule passes, with its normalised value', async () => {
    const result = await t.login.rules.check({ ...sso, name: '  Acme SSO  ', jitCreation: 'attributes', jitGroups: ['Engineering'], savedAttributes: { firstName: '{{profile.first_name}}' } });
    expect(result).toMatchObject({ ok: true, errors: [], warnings: [] });
    expect(result.value).toMatchObject({ name: 'Acme SSO', enabled: true, organizationId: '', jitGroups: ['Engineering'] });
  });

  it('reports every problem at once: a broken regex and a taken name and priority', async () => {
    const result = await t.login.rules.check({ ...base, name: 'Taken', priority: 40, emailRegex: '(' });
    expect(result.errors.map((e) => e.path).sort()).toEqual(['emailRegex', 'name', 'priority']);
  });

  it("an update is checked against other rules only: the rule's own name and priority are not taken", async () => {
    const taken = (await t.login.rules.list()).find((r) => r.name === 'Taken')!;
    expect((await t.login.rules.check({ enabled: false }, { id: taken.id })).ok).toBe(true);
    expect((await t.login.rules.check({ priority: 1000 }, { id: taken.id })).errors).toEqual([{ path: 'priority', message: 'another rule already has priority 1000' }]);
  });
});

describe('warnings are kept apart from errors and never block a save', () => {
  const unanchored = /does not end with \$/;

  it.each([
    ['@acme\\.test', true],
    // No domain named after `@`: the pattern may be about the local part, so it is not second-guessed.
    ['acme\\.test', false],
    ['@acme\\.test$|@acme-eu\\.test', true],
    ['@(acme|acme-eu)\\.test', true],
    ['@acme\\.test\\$', true],
    ['@acme\\.test$', false],
    ['^.+@(acme|acme-eu)\\.test$', false],
    ['@acme\\.test$|@acme-eu\\.test$', false],
    ['.*', false],
    ['^.*$', false],
  ] as const)('emailRegex %s: warned %s', async (regex, warned) => {
    const result = await t.login.rules.check({ ...base, emailRegex: regex });
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.warnings.some((w) => w.path === 'emailRegex' && w.code === 'regex_unanchored_domain' && unanchored.test(w.message))).toBe(warned);
  });

  it('a rule with an error and an unanchored regex gets both, apart', async () => {
    const result = await t.login.rules.check({ ...base, method: 'mfa', emailRegex: '@acme\\.test' });
    expect(result.errors).toEqual([{ path: 'totpOrganizationName', message: 'is required for the mfa method' }]);
    expect(result.warnings).toEqual([{ path: 'emailRegex', code: 'regex_unanchored_domain', message: expect.stringMatching(unanchored) as unknown as string }]);
  });

  it('an unanchored rule saves', async () => {
    const rule = await t.login.rules.create({ ...base, name: 'Unanchored', priority: 42, emailRegex: '@loose\\.test' });
    expect(rule.emailRegex).toBe('@loose\\.test');
    await t.login.rules.delete(rule.id);
  });
});
