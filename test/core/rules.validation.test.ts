// parseRuleInput: the Django clean() constraints, plus the fixes (regex compiles and cannot stall the server,
// JSON attributes are well-formed and never carry prototype-polluting keys, unknown keys are refused).
import { describe, expect, it } from 'vitest';
import { parseRuleInput, type RuleIssue } from '../../src/core/rules.ts';
import { BUILTIN_CATALOG, BUILTIN_RULE_METHODS as LOGIN_METHODS } from '../support/catalog.ts';

const base = { name: 'Rule', method: 'password', priority: 10, emailRegex: '.*' } as const;
const sso = { ...base, method: 'sso', connectionId: 'conn_1' } as const;

function issues(input: unknown): RuleIssue[] {
  const res = parseRuleInput(input, BUILTIN_CATALOG);
  if (res.ok) throw new Error(`expected a refusal, got ${JSON.stringify(res.value)}`);
  return res.issues;
}

function accepted(input: unknown) {
  const res = parseRuleInput(input, BUILTIN_CATALOG);
  if (!res.ok) throw new Error(`expected acceptance, got ${JSON.stringify(res.issues)}`);
  return res.value;
}

const TARGET = 'a rule must target someone: give an email regex, lookup attributes or JIT creation';

describe('defaults', () => {
  it('fills the optional fields', () => {
    expect(accepted(base)).toEqual({
      name: 'Rule',
      method: 'password',
      priority: 10,
      enabled: true,
      emailRegex: '.*',
      lookupAttributes: {},
      connectionId: '',
      organizationId: '',
      jitCreation: 'off',
      jitGroups: [],
      savedAttributes: {},
      totpOrganizationName: '',
      allowIdpInitiated: false,
      linkExistingByEmail: null,
      directoryProvisioning: {},
    });
  });

  it('does not write into the caller\'s object', () => {
    const input = Object.freeze({ ...base, lookupAttributes: Object.freeze({ isStaff: true }) });
    expect(accepted(input).lookupAttributes).toEqual({ isStaff: true });
  });
});

describe('basic fields', () => {
  it.each([
    ['name', { ...base, name: '   ' }],
    ['name', { ...base, name: 'x'.repeat(201) }],
    ['method', { ...base, method: 'ldap' }],
    ['priority', { ...base, priority: 1.5 }],
    ['priority', { ...base, priority: '10' }],
    ['priority', { ...base, priority: 2 ** 31 }],
    ['enabled', { ...base, enabled: 'yes' }],
    ['jitCreation', { ...sso, jitCreation: 'always' }],
  ])('refuses a bad %s', (field, input) => {
    expect(issues(input).map((i) => i.path)).toContain(field);
  });

  it('refuses a missing name, method and priority, naming each', () => {
    expect(issues({ emailRegex: '.*' }).map((i) => i.path).sort()).toEqual(['method', 'name', 'priority']);
  });

  it('accepts every method with the options it needs', () => {
    for (const method of LOGIN_METHODS) {
      const input = { ...base, method, ...(method === 'mfa' ? { totpOrganizationName: 'Acme' } : {}), ...(method === 'sso' ? { organizationId: 'org_1' } : {}) };
      expect(accepted(input).method).toBe(method);
    }
  });

  it('refuses unknown keys, naming them', () => {
    expect(issues({ ...base, hasMfa: true, isAdmin: 1 })).toEqual([{ path: '(rule)', message: 'Unrecognized keys: "hasMfa", "isAdmin"' }]);
  });

  it('refuses a non-object', () => {
    expect(issues('rule')[0]?.path).toBe('(rule)');
    expect(issues(null)[0]?.path).toBe('(rule)');
  });
});

describe('Django clean() constraints', () => {
  it('requires totpOrganizationName for mfa', () => {
    expect(issues({ ...base, method: 'mfa' })).toEqual([{ path: 'totpOrganizationName', message: 'is required for the mfa method' }]);
    expect(issues({ ...base, method: 'mfa', totpOrganizationName: '   ' })).toEqual([{ path: 'totpOrganizationName', message: 'is required for the mfa method' }]);
    expect(accepted({ ...base, method: 'mfa', totpOrganizationName: ' Acme ' }).totpOrganizationName).toBe('Acme');
  });

  it.each(LOGIN_METHODS.filter((m) => m !== 'mfa'))('allows totpOrganizationName only for mfa (refused for %s)', (method) => {
    const input = { ...base, method, totpOrganizationName: 'Acme', ...(method === 'sso' ? { connectionId: 'c' } : {}) };
    expect(issues(input)).toEqual([{ path: 'totpOrganizationName', message: 'is only used by the mfa method' }]);
  });

  it.each(['password', 'magic', 'email_mfa'] as const)('refuses connection and organization ids for %s', (method) => {
    expect(issues({ ...base, method, connectionId: 'conn_1' })).toEqual([{ path: 'connectionId', message: 'connection and organization ids are only for SSO methods' }]);
    expect(issues({ ...base, method, organizationId: 'org_1' })).toEqual([{ path: 'connectionId', message: 'connection and organization ids are only for SSO methods' }]);
  });

  it('refuses connection and organization ids for mfa', () => {
    expect(issues({ ...base, method: 'mfa', totpOrganizationName: 'A', connectionId: 'c' })).toEqual([
      { path: 'connectionId', message: 'connection and organization ids are only for SSO methods' },
    ]);
  });

  it.each(['sso', 'GoogleOAuth', 'MicrosoftOAuth'] as const)('never allows both ids (%s)', (method) => {
    expect(issues({ ...base, method, connectionId: 'conn_1', organizationId: 'org_1' })).toEqual([
      { path: 'organizationId', message: 'give a connection id or an organization id, not both' },
    ]);
  });

  it('sso needs a connection id or an organization id', () => {
    expect(issues({ ...base, method: 'sso' })).toEqual([{ path: 'connectionId', message: 'the sso method needs a connection id or an organization id' }]);
    expect(issues({ ...base, method: 'sso', connectionId: '   ' })).toEqual([{ path: 'connectionId', message: 'the sso method needs a connection id or an organization id' }]);
    expect(accepted({ ...base, method: 'sso', connectionId: 'conn_1' }).connectionId).toBe('conn_1');
    expect(accepted({ ...base, method: 'sso', organizationId: 'org_1' }).organizationId).toBe('org_1');
  });

  it.each(['GoogleOAuth', 'MicrosoftOAuth'] as const)('%s needs no connection or organization', (method) => {
    expect(accepted({ ...base, method }).method).toBe(method);
  });

  const nonSso = ['password', 'magic', 'email_mfa'] as const;
  it.each(nonSso)('allows JIT creation only for SSO methods (refused for %s)', (method) => {
    expect(issues({ ...base, method, jitCreation: 'attributes' })).toEqual([{ path: 'jitCreation', message: 'just-in-time creation is only for SSO methods' }]);
    expect(issues({ ...base, method, jitCreation: 'idp' })).toEqual([{ path: 'jitCreation', message: 'just-in-time creation is only for SSO methods' }]);
  });

  it.each(nonSso)('allows saved attributes only for SSO methods (refused for %s)', (method) => {
    expect(issues({ ...base, method, savedAttributes: { isStaff: true } })).toEqual([{ path: 'savedAttributes', message: 'saved attributes are only for SSO methods' }]);
  });

  it.each(nonSso)('allows JIT groups only for SSO methods (refused for %s)', (method) => {
    expect(issues({ ...base, method, jitGroups: ['Staff'] })).toEqual([{ path: 'jitGroups', message: 'JIT groups are only for SSO methods' }]);
  });

  it.each(nonSso)('allows IdP-initiated login only for SSO methods (refused for %s)', (method) => {
    expect(issues({ ...base, method, allowIdpInitiated: true })).toEqual([{ path: 'allowIdpInitiated', message: 'IdP-initiated login is only for SSO methods' }]);
  });

  it('accepts every SSO-only option on an SSO rule', () => {
    const v = accepted({ ...sso, jitCreation: 'idp', jitGroups: ['Staff'], savedAttributes: { isStaff: true }, allowIdpInitiated: true });
    expect(v).toMatchObject({ jitCreation: 'idp', jitGroups: ['Staff'], savedAttributes: { isStaff: true }, allowIdpInitiated: true });
  });

  it('a rule must target someone', () => {
    expect(issues({ ...base, emailRegex: '' })).toEqual([{ path: 'emailRegex', message: TARGET }]);
    expect(issues({ ...base, emailRegex: '', lookupAttributes: {} })).toEqual([{ path: 'emailRegex', message: TARGET }]);
    expect(issues({ ...base, emailRegex: '', lookupAttributes: { hasMfa: false, hasSso: false } })).toEqual([{ path: 'emailRegex', message: TARGET }]);
  });

  it('targets by regex, lookup attributes, hasMfa, hasSso or JIT', () => {
    const none = { ...base, emailRegex: '' };
    expect(accepted({ ...none, emailRegex: '@acme' }).emailRegex).toBe('@acme');
    expect(accepted({ ...none, lookupAttributes: { isStaff: true } }).lookupAttributes).toEqual({ isStaff: true });
    expect(accepted({ ...none, lookupAttributes: { hasMfa: true } }).lookupAttributes).toEqual({ hasMfa: true });
    expect(accepted({ ...none, lookupAttributes: { hasSso: true } }).lookupAttributes).toEqual({ hasSso: true });
    expect(accepted({ ...sso, emailRegex: '', jitCreation: 'idp' }).jitCreation).toBe('idp');
  });

  it('hasMfa and hasSso must be booleans', () => {
    expect(issues({ ...base, lookupAttributes: { hasMfa: 'yes' } })).toEqual([{ path: 'lookupAttributes', message: 'hasMfa must be true or false' }]);
    expect(issues({ ...base, lookupAttributes: { hasSso: 1 } })).toEqual([{ path: 'lookupAttributes', message: 'hasSso must be true or false' }]);
  });

  it('reports every broken constraint at once', () => {
    const paths = issues({ name: 'x', method: 'password', priority: 1, totpOrganizationName: 'A', connectionId: 'c', organizationId: 'o', jitGroups: ['G'] }).map((i) => i.path);
    // Each method module reports its own constraints; the set of fields named is what matters, not their order.
    expect(paths.sort()).toEqual(['connectionId', 'emailRegex', 'jitGroups', 'organizationId', 'totpOrganizationName']);
  });
});

describe('email regex', () => {
  it('refuses a regex that does not compile', () => {
    const [issue, ...rest] = issues({ ...base, emailRegex: '([a-z' });
    expect(rest).toEqual([]);
    expect(issue).toEqual({ path: 'emailRegex', message: 'the regular expression is not valid RE2 syntax: missing closing ] in `[a-z`' });
  });

  const RE2_ONLY = 'rule regexes use RE2 syntax, which runs in linear time and has no backreferences or lookaround';

  // Threat (item 50): syntax that only a backtracking engine can run is how a rule regex stalls the server; it
  // is refused on save, naming the construct, instead of being run on a slower engine.
  it.each([
    ['(a)\\1@corp\\.com$', 'a backreference (\\1)'],
    ['(?P<u>a)(?P=u)', 'a backreference (?P=…)'],
    ['^(?=.*admin)', 'a lookahead (?=…)'],
    ['^(?!root@)', 'a negative lookahead (?!…)'],
    ['(?<=@)corp\\.com$', 'a lookbehind (?<=…)'],
    ['(?<!x)@corp\\.com$', 'a negative lookbehind (?<!…)'],
    ['(?>\\w+)@', 'an atomic group (?>…)'],
    ['\\w++@corp\\.com$', 'a possessive quantifier (++)'],
  ])('refuses %s, which RE2 lacks, naming %s', (emailRegex, construct) => {
    expect(issues({ ...base, emailRegex })).toEqual([{ path: 'emailRegex', message: `the regular expression uses ${construct}: ${RE2_ONLY}` }]);
  });

  it('tells a Python user what to write instead of \\Z', () => {
    expect(issues({ ...base, emailRegex: '@corp\\.com\\Z' })).toEqual([
      { path: 'emailRegex', message: 'the regular expression uses \\Z: RE2 has no \\Z; use $ or \\z for the end of the input' },
    ]);
  });

  // Nested quantifiers were refused while rules ran on a backtracking engine; on RE2 they cost linear time, so
  // harmless patterns such as (a|b)+ are accepted, as are the shapes that stalled the old engine (issue 9).
  it.each([
    '.*',
    '@acme\\.com$',
    '^[a-z]+@(acme|example)\\.com$',
    '(a+)',
    '[(a+)+]',
    '\\(a+\\)+',
    '^(?:staff|admin)@acme\\.com$',
    '(a|b)+@acme\\.com$',
    '^(?P<user>[a-z.]+)@acme\\.com$',
    '(a+)+$',
    '(.*a){20}',
    '^\\w+[\\w.]*[\\w.-]*[\\w.+-]*@corp\\.com$',
    '\\w*\\w*\\w*@corp\\.com$',
    '^.*\\w+.*\\w+.*@corp\\.com$',
  ])('accepts %s', (emailRegex) => {
    expect(accepted({ ...base, emailRegex }).emailRegex).toBe(emailRegex);
  });

  it('refuses a regex longer than 500 characters', () => {
    expect(issues({ ...base, emailRegex: 'a'.repeat(501) }).map((i) => i.path)).toContain('emailRegex');
  });
});

describe('JSON attributes', () => {
  it('accepts JSON text for lookup and saved attributes', () => {
    const v = accepted({ ...sso, lookupAttributes: '{"groups":{"some":{"name":"MFA"}},"hasMfa":true}', savedAttributes: '{"isStaff":true}' });
    expect(v.lookupAttributes).toEqual({ groups: { some: { name: 'MFA' } }, hasMfa: true });
    expect(v.savedAttributes).toEqual({ isStaff: true });
  });

  it('treats empty JSON text as an empty object', () => {
    expect(accepted({ ...base, lookupAttributes: '  ', savedAttributes: '' })).toMatchObject({ lookupAttributes: {}, savedAttributes: {} });
  });

  it.each(['{bad', '{"a":1', 'null', '[1,2]', '"text"', '42'])('refuses the JSON text %j', (text) => {
    expect(issues({ ...base, lookupAttributes: text }).map((i) => i.path)).toEqual(['lookupAttributes']);
    expect(issues({ ...sso, savedAttributes: text }).map((i) => i.path)).toEqual(['savedAttributes']);
  });

  it.each([[null], [[1]], [42], [true]])('refuses the non-object %j', (value) => {
    expect(issues({ ...base, lookupAttributes: value }).map((i) => i.path)).toEqual(['lookupAttributes']);
  });

  // Threat: prototype pollution through admin- or database-supplied JSON keys.
  describe.each(['__proto__', 'constructor', 'prototype'])('the key %s', (key) => {
    const message = `key "${key}" is not allowed`;

    it('is refused at the top of lookup attributes (JSON text)', () => {
      expect(issues({ ...base, lookupAttributes: `{"${key}":{"isStaff":true}}` })).toEqual([{ path: `lookupAttributes.${key}`, message }]);
    });

    it('is refused at the top of lookup attributes (object with an own key)', () => {
      const obj = JSON.parse(`{"${key}":{"isStaff":true}}`) as Record<string, unknown>;
      expect(Object.keys(obj)).toEqual([key]);
      expect(issues({ ...base, lookupAttributes: obj })).toEqual([{ path: `lookupAttributes.${key}`, message }]);
    });

    it('is refused nested in lookup attributes', () => {
      expect(issues({ ...base, lookupAttributes: `{"groups":{"some":{"${key}":{"name":"x"}}}}` })).toEqual([{ path: `lookupAttributes.groups.some.${key}`, message }]);
    });

    it('is refused inside an array', () => {
      expect(issues({ ...base, lookupAttributes: `{"OR":[{"isStaff":true},{"${key}":1}]}` })).toEqual([{ path: `lookupAttributes.OR.1.${key}`, message }]);
    });

    it('is refused at the top of and nested in saved attributes', () => {
      expect(issues({ ...sso, savedAttributes: `{"${key}":{"isSuperuser":true}}` })).toEqual([{ path: `savedAttributes.${key}`, message }]);
      expect(issues({ ...sso, savedAttributes: `{"profile":{"${key}":{"x":1}}}` })).toEqual([{ path: `savedAttributes.profile.${key}`, message }]);
    });
  });

  it('leaves Object.prototype alone after refusing __proto__', () => {
    issues({ ...sso, savedAttributes: '{"__proto__":{"polluted":true}}' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
