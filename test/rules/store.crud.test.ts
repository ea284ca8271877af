// RuleStore create/update/delete against a real database: validation errors name the field, lookup attributes
// are checked against the real User model, JIT groups must exist, names and priorities are unique.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleValidationError, type LoginRuleInput } from '../../src/index.ts';
import type { Logger } from '../../src/config.ts';
import { RuleRepository } from '../../src/db/rules.ts';
import { UserRepository } from '../../src/db/users.ts';
import { RuleStore } from '../../src/rules/store.ts';
import { createUser } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';

let db: TestDb;
let rules: RuleStore;
const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };

beforeAll(async () => {
  db = await createTestDb();
  const users = new UserRepository(db.prisma, { usernameLookup: true, emailLookup: false, activeUserFilter: { isActive: true } });
  rules = new RuleStore(new RuleRepository(db.prisma), users, logger, BUILTIN_CATALOG);
  await db.prisma.group.create({ data: { name: 'Staff' } });
  await db.prisma.group.create({ data: { name: 'MFA' } });
});
afterAll(() => db.close());

/** The error `fn` rejects with, which must be a RuleValidationError. */
async function refusal(fn: () => Promise<unknown>): Promise<RuleValidationError> {
  const err = await fn().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RuleValidationError);
  const e = err as RuleValidationError;
  expect(e.code).toBe('rule_invalid');
  expect(e.name).toBe('RuleValidationError');
  return e;
}

let nextPriority = 100;
const fresh = (over: Partial<LoginRuleInput> = {}): LoginRuleInput => {
  nextPriority += 1;
  return { name: `rule p${nextPriority}`, method: 'password', priority: nextPriority, emailRegex: `@p${nextPriority}\\.test$`, ...over };
};

describe('the default rule', () => {
  it('exists after the migrations: "Username/password login", password, priority 1000, regex .*', async () => {
    const all = await rules.list();
    expect(all.map((r) => ({ name: r.name, method: r.method, priority: r.priority, emailRegex: r.emailRegex, enabled: r.enabled }))).toContainEqual({
      name: 'Username/password login',
      method: 'password',
      priority: 1000,
      emailRegex: '.*',
      enabled: true,
    });
  });
});

describe('create', () => {
  it('saves a valid rule and returns it in matching form', async () => {
    const rule = await rules.create({
      name: 'MFA group',
      method: 'mfa',
      priority: 10,
      totpOrganizationName: 'Acme',
      lookupAttributes: { hasMfa: true, groups: { some: { name: 'MFA' } } },
    });
    expect(rule).toMatchObject({ name: 'MFA group', method: 'mfa', priority: 10, hasMfa: true, hasSso: false, where: { groups: { some: { name: 'MFA' } } } });
    expect(await rules.get(rule.id)).toEqual(rule);
    const row = await db.prisma.loginRule.findUniqueOrThrow({ where: { id: rule.id } });
    expect(JSON.parse(row.lookupAttributes)).toEqual({ hasMfa: true, groups: { some: { name: 'MFA' } } });
    expect(row.totpOrganizationName).toBe('Acme');
  });

  it('accepts lookup attributes as JSON text and stores them as JSON', async () => {
    const rule = await rules.create(fresh({ emailRegex: '', lookupAttributes: '{"isSuperuser":true}' }));
    expect(rule.where).toEqual({ isSuperuser: true });
    const row = await db.prisma.loginRule.findUniqueOrThrow({ where: { id: rule.id } });
    expect(row.lookupAttributes).toBe('{"isSuperuser":true}');
  });

  it('saves JIT groups that exist and links them', async () => {
    const rule = await rules.create(fresh({ method: 'sso', connectionId: 'conn_1', jitCreation: 'attributes', jitGroups: ['Staff', 'MFA'] }));
    expect([...rule.jitGroups].sort()).toEqual(['MFA', 'Staff']);
    const row = await db.prisma.loginRule.findUniqueOrThrow({ where: { id: rule.id }, include: { jitGroups: true } });
    expect(row.jitGroups.map((g) => g.name).sort()).toEqual(['MFA', 'Staff']);
    expect((await rules.get(rule.id))?.jitGroups.slice().sort()).toEqual(['MFA', 'Staff']);
  });

  it('refuses an invalid rule, naming the fields, and saves nothing', async () => {
    const before = await db.prisma.loginRule.count();
    const err = await refusal(() => rules.create({ name: 'Broken mfa', method: 'mfa', priority: 11, emailRegex: '^(\\w+)\\1+@' }));
    expect(err.issues).toEqual([
      { path: 'totpOrganizationName', message: 'is required for the mfa method' },
      { path: 'emailRegex', message: 'the regular expression uses a backreference (\\1): rule regexes use RE2 syntax, which runs in linear time and has no backreferences or lookaround' },
    ]);
    expect(err.message).toBe(
      'invalid login rule: totpOrganizationName: is required for the mfa method; emailRegex: the regular expression uses a backreference (\\1): rule regexes use RE2 syntax, which runs in linear time and has no backreferences or lookaround',
    );
    expect(await db.prisma.loginRule.count()).toBe(before);
  });

  it('refuses a regex that does not compile', async () => {
    const err = await refusal(() => rules.create(fresh({ emailRegex: '[' })));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.path).toBe('emailRegex');
    expect(err.issues[0]?.message).toBe('the regular expression is not valid RE2 syntax: missing closing ] in `[`');
  });

  it('refuses unknown keys', async () => {
    const err = await refusal(() => rules.create({ ...fresh(), hasMfa: true } as LoginRuleInput));
    expect(err.issues).toEqual([{ path: '(rule)', message: 'Unrecognized key: "hasMfa"' }]);
  });
});

describe('lookup attributes are checked against the real User model', () => {
  it.each([
    ['a group filter', { groups: { some: { name: 'MFA' } } }],
    ['isSuperuser', { isSuperuser: true }],
    ['isStaff with hasMfa', { isStaff: true, hasMfa: true }],
    ['a host field on a related model', { profile: { is: { isManager: true } } }],
    ['OR of filters', { OR: [{ isStaff: true }, { email: { endsWith: '@acme.test' } }] }],
  ])('accepts %s', async (_label, lookupAttributes) => {
    const rule = await rules.create(fresh({ emailRegex: '', lookupAttributes }));
    expect(await rules.get(rule.id)).not.toBeNull();
  });

  it.each([
    ['an unknown field', { nope: 1 }, /Unknown argument `nope`/],
    ['a wrong type', { isSuperuser: 'yes' }, /isSuperuser|Invalid value|Expected/],
    ['an unknown field in a relation filter', { groups: { some: { title: 'x' } } }, /Unknown argument `title`/],
  ])('refuses %s, naming the field', async (_label, lookupAttributes, detail) => {
    const err = await refusal(() => rules.create(fresh({ emailRegex: '', lookupAttributes })));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.path).toBe('lookupAttributes');
    expect(err.issues[0]?.message).toMatch(/^not a valid filter on the user model: /);
    expect(err.issues[0]?.message).toMatch(detail);
  });

  it('refuses __proto__ in lookup attributes given as JSON text', async () => {
    const err = await refusal(() => rules.create(fresh({ lookupAttributes: '{"__proto__":{"isSuperuser":true}}' })));
    expect(err.issues).toEqual([{ path: 'lookupAttributes.__proto__', message: 'key "__proto__" is not allowed' }]);
  });
});

describe('JIT groups', () => {
  it('must exist', async () => {
    const err = await refusal(() => rules.create(fresh({ method: 'sso', connectionId: 'c', jitCreation: 'idp', jitGroups: ['Staff', 'Ghosts', 'Nobody'] })));
    expect(err.issues).toEqual([{ path: 'jitGroups', message: 'unknown group(s): Ghosts, Nobody' }]);
  });
});

describe('uniqueness', () => {
  it('refuses a duplicate name, naming the name field', async () => {
    const first = await rules.create(fresh());
    const err = await refusal(() => rules.create(fresh({ name: first.name })));
    expect(err.issues).toEqual([{ path: 'name', message: `a rule named "${first.name}" already exists` }]);
  });

  it('refuses a duplicate priority, naming the priority field', async () => {
    const first = await rules.create(fresh());
    const err = await refusal(() => rules.create(fresh({ priority: first.priority })));
    expect(err.issues).toEqual([{ path: 'priority', message: `another rule already has priority ${first.priority}` }]);
  });

  it('refuses taking the default rule\'s priority', async () => {
    const err = await refusal(() => rules.create(fresh({ priority: 1000 })));
    expect(err.issues).toEqual([{ path: 'priority', message: 'another rule already has priority 1000' }]);
  });

  it('lets a rule keep its own name and priority on update', async () => {
    const rule = await rules.create(fresh());
    const updated = await rules.update(rule.id, { name: rule.name, method: 'magic', priority: rule.priority, emailRegex: rule.emailRegex });
    expect(updated.method).toBe('magic');
  });

  it('refuses an update onto another rule\'s name or priority', async () => {
    const a = await rules.create(fresh());
    const b = await rules.create(fresh());
    const err = await refusal(() => rules.update(b.id, { name: a.name, method: 'password', priority: a.priority, emailRegex: '.' }));
    expect(err.issues.map((i) => i.path)).toEqual(['name', 'priority']);
    expect(await rules.get(b.id)).toEqual(b);
  });
});

describe('update', () => {
  it('changes every field given, the JIT groups included', async () => {
    const rule = await rules.create(fresh({ method: 'sso', connectionId: 'conn_a', jitCreation: 'attributes', jitGroups: ['Staff'] }));
    const updated = await rules.update(rule.id, {
      name: `${rule.name} (renamed)`,
      method: 'sso',
      priority: rule.priority,
      connectionId: '',
      organizationId: 'org_b',
      emailRegex: '@b\\.test$',
      jitCreation: 'idp',
      jitGroups: ['MFA'],
      savedAttributes: { isStaff: true },
      allowIdpInitiated: true,
      enabled: false,
    });
    expect(updated).toMatchObject({ id: rule.id, name: `${rule.name} (renamed)`, connectionId: '', organizationId: 'org_b', jitCreation: 'idp', jitGroups: ['MFA'], enabled: false, allowIdpInitiated: true });
    expect(await rules.get(rule.id)).toEqual(updated);
    const row = await db.prisma.loginRule.findUniqueOrThrow({ where: { id: rule.id }, include: { jitGroups: true } });
    expect(row.jitGroups.map((g) => g.name)).toEqual(['MFA']);
    expect(JSON.parse(row.savedAttributes)).toEqual({ isStaff: true });
  });

  it('refuses an invalid update and leaves the stored rule as it was', async () => {
    const rule = await rules.create(fresh());
    const err = await refusal(() => rules.update(rule.id, { name: rule.name, method: 'sso', priority: rule.priority, emailRegex: '.' }));
    expect(err.issues).toEqual([{ path: 'connectionId', message: 'the sso method needs a connection id or an organization id' }]);
    expect(await rules.get(rule.id)).toEqual(rule);
  });

  it('refuses lookup attributes the user model does not have', async () => {
    const rule = await rules.create(fresh());
    const err = await refusal(() => rules.update(rule.id, { name: rule.name, method: 'password', priority: rule.priority, lookupAttributes: { nope: 1 } }));
    expect(err.issues[0]?.path).toBe('lookupAttributes');
    expect(err.issues[0]?.message).toMatch(/Unknown argument `nope`/);
  });
});

describe('partial updates and export/import', () => {
  it('changes only the fields given and keeps the others', async () => {
    const rule = await rules.create(fresh({ method: 'mfa', totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true, hasMfa: true } }));
    const disabled = await rules.update(rule.id, { enabled: false });
    expect(disabled).toEqual({ ...rule, enabled: false });
    const renamed = await rules.update(rule.id, { name: `${rule.name} (renamed)`, enabled: undefined });
    expect(renamed).toEqual({ ...rule, enabled: false, name: `${rule.name} (renamed)` });
    expect(await rules.get(rule.id)).toEqual(renamed);
  });

  it('validates the merged rule: a change that breaks it is refused and nothing is saved', async () => {
    const rule = await rules.create(fresh());
    const err = await refusal(() => rules.update(rule.id, { method: 'sso' }));
    expect(err.issues).toEqual([{ path: 'connectionId', message: 'the sso method needs a connection id or an organization id' }]);
    expect(await rules.get(rule.id)).toEqual(rule);
  });

  it('refuses an update of a rule that does not exist', async () => {
    const err = await refusal(() => rules.update(987_654, { enabled: false }));
    expect(err.issues).toEqual([{ path: 'id', message: 'no login rule has id 987654' }]);
  });

  it('takes back what list() gives: rules exported from one database are created in another, and updated with their own form', async () => {
    const made = [
      await rules.create(fresh({ method: 'mfa', totpOrganizationName: 'Acme', emailRegex: '', lookupAttributes: { isStaff: true, hasMfa: true } })),
      await rules.create(fresh({ method: 'sso', organizationId: 'org_x', jitCreation: 'attributes', jitGroups: ['Staff'], savedAttributes: { isStaff: true }, allowIdpInitiated: true })),
      await rules.create(fresh({ method: 'magic', enabled: false, lookupAttributes: { hasSso: true } })),
    ];
    const exported = (await rules.list()).filter((r) => made.some((m) => m.id === r.id));
    expect(exported).toEqual(made);
    const json = JSON.parse(JSON.stringify(exported)) as typeof exported; // as a file would carry them

    const other = await createTestDb();
    try {
      await other.prisma.group.create({ data: { name: 'Staff' } });
      const users = new UserRepository(other.prisma, { usernameLookup: true, emailLookup: false, activeUserFilter: { isActive: true } });
      const target = new RuleStore(new RuleRepository(other.prisma), users, logger, BUILTIN_CATALOG);
      const imported = [];
      for (const rule of json) imported.push(await target.create(rule));
      expect(imported.map(({ id: _id, ...r }) => r)).toEqual(made.map(({ id: _id, ...r }) => r));

      const edited = { ...imported[1]!, enabled: false, jitGroups: [] };
      expect(await target.update(edited.id, edited)).toEqual(edited);
      expect(await target.validate(imported[0]!, imported[0]!.id)).toMatchObject({ lookupAttributes: { isStaff: true, hasMfa: true } });
    } finally {
      await other.close();
    }
  });
});

describe('delete', () => {
  it('removes the rule', async () => {
    const rule = await rules.create(fresh());
    await rules.delete(rule.id);
    expect(await rules.get(rule.id)).toBeNull();
    expect(await db.prisma.loginRule.findUnique({ where: { id: rule.id } })).toBeNull();
  });

  it('keeps users\' MFA factors and SSO identities', async () => {
    const user = await createUser(db.prisma, { username: 'keeps-factors' });
    await db.prisma.mfaFactor.create({ data: { userId: user.id, workosFactorId: 'auth_factor_keep', type: 'totp' } });
    await db.prisma.ssoIdentity.create({ data: { userId: user.id, scope: 'conn:conn_keep', idpId: 'idp-keep', profileId: 'prof_keep', connectionId: 'conn_keep' } });
    const mfa = await rules.create(fresh({ method: 'mfa', totpOrganizationName: 'Acme', emailRegex: '', lookupAttributes: { hasMfa: true } }));
    const sso = await rules.create(fresh({ method: 'sso', connectionId: 'conn_keep', emailRegex: '', lookupAttributes: { hasSso: true }, jitCreation: 'attributes', jitGroups: ['Staff'] }));
    await rules.delete(mfa.id);
    await rules.delete(sso.id);
    expect(await db.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.prisma.ssoIdentity.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.prisma.user.count({ where: { id: user.id } })).toBe(1);
    // The JIT group survives its rule too.
    expect(await db.prisma.group.count({ where: { name: 'Staff' } })).toBe(1);
  });
});

describe('validate', () => {
  it('checks a rule as create would, without saving it', async () => {
    const before = await db.prisma.loginRule.count();
    const value = await rules.validate(fresh({ lookupAttributes: '{"isStaff":true}' }));
    expect(value.lookupAttributes).toEqual({ isStaff: true });
    expect(await db.prisma.loginRule.count()).toBe(before);
  });
});

it('logged no warnings for valid rules', () => {
  expect(warnings).toEqual([]);
});
