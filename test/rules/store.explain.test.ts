// explain(username): which rule applies to a login name and why, resolved against a real database
// (groups, flags, MFA factors, SSO identities), with the user lookup settings and the active-user filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger, ResolvedConfig } from '../../src/config.ts';
import { RuleRepository } from '../../src/db/rules.ts';
import { UserRepository } from '../../src/db/users.ts';
import { RuleStore } from '../../src/rules/store.ts';
import { createUser } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';

type LookupConfig = Pick<ResolvedConfig, 'usernameLookup' | 'emailLookup' | 'activeUserFilter'>;

let db: TestDb;
let rules: RuleStore;
const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
const ids: Record<string, number> = {};

const DEFAULTS: LookupConfig = { usernameLookup: true, emailLookup: false, activeUserFilter: { isActive: true } };
const storeWith = (config: Partial<LookupConfig>) => new RuleStore(new RuleRepository(db.prisma), new UserRepository(db.prisma, { ...DEFAULTS, ...config }), logger, BUILTIN_CATALOG);

beforeAll(async () => {
  db = await createTestDb();
  rules = storeWith({});
  const create = async (name: string, input: Record<string, unknown>) => {
    ids[name] = (await rules.create({ name, method: 'password', ...input } as Parameters<RuleStore['create']>[0])).id;
  };
  await create('MFA group', { method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { groups: { some: { name: 'MFA' } } } });
  await create('Superusers', { method: 'email_mfa', priority: 20, lookupAttributes: '{"isSuperuser":true}' });
  await create('Has a factor', { method: 'mfa', priority: 30, totpOrganizationName: 'Acme', lookupAttributes: { hasMfa: true } });
  await create('Has SSO', { method: 'sso', priority: 40, connectionId: 'conn_1', lookupAttributes: { hasSso: true } });
  await create('Acme SSO with JIT', { method: 'sso', priority: 50, organizationId: 'org_acme', emailRegex: '@acme\\.test$', jitCreation: 'attributes' });
  await create('Partners by magic link', { method: 'magic', priority: 60, emailRegex: '@partner\\.test$' });
  ids.default = (await db.prisma.loginRule.findUniqueOrThrow({ where: { name: 'Username/password login' } })).id;

  await createUser(db.prisma, { password: null, username: 'grouped', groups: ['MFA'] });
  await createUser(db.prisma, { password: null, username: 'root', isSuperuser: true });
  const factor = await createUser(db.prisma, { password: null, username: 'factor-user' });
  await db.prisma.mfaFactor.create({ data: { userId: factor.id, workosFactorId: 'auth_factor_1', type: 'totp' } });
  const linked = await createUser(db.prisma, { password: null, username: 'sso-user' });
  await db.prisma.ssoIdentity.create({ data: { userId: linked.id, scope: 'conn:conn_1', idpId: 'idp-1', profileId: 'prof_1', connectionId: 'conn_1' } });
  await createUser(db.prisma, { password: null, username: 'acme-user', email: 'someone@acme.test' });
  await createUser(db.prisma, { password: null, username: 'partner', email: 'pat@partner.test' });
  await createUser(db.prisma, { password: null, username: 'plain', email: 'Plain.Person@Example.test' });
  await createUser(db.prisma, { password: null, username: 'sleeper', email: 'sleeper@acme.test', isActive: false, groups: ['MFA'] });
  await createUser(db.prisma, { password: null, username: 'twin1', email: 'twin@example.test' });
  await createUser(db.prisma, { password: null, username: 'twin2', email: 'TWIN@example.test' });
  const staff = await createUser(db.prisma, { password: null, username: 'staffer', email: 'staffer@example.test' });
  await db.prisma.user.update({ where: { id: staff.id }, data: { isStaff: true } });
});
afterAll(() => db.close());

describe('explain for existing users', () => {
  it('group lookup', async () => {
    const e = await rules.explain('grouped');
    expect(e.user).toMatchObject({ username: 'grouped', email: 'grouped@example.test' });
    expect(e.rule?.id).toBe(ids['MFA group']);
    expect(e.rule?.method).toBe('mfa');
    expect(e.reason).toBe('lookup attributes {"groups":{"some":{"name":"MFA"}}} match the user');
    expect(e.trace).toEqual([{ ruleId: ids['MFA group'], name: 'MFA group', matched: true, why: e.reason }]);
    expect(e.username).toBe('grouped');
    expect(e.broken).toEqual([]);
  });

  it('isSuperuser lookup', async () => {
    const e = await rules.explain('root');
    expect(e.rule?.id).toBe(ids.Superusers);
    expect(e.reason).toBe('lookup attributes {"isSuperuser":true} match the user');
    expect(e.trace.map((v) => [v.name, v.matched])).toEqual([
      ['MFA group', false],
      ['Superusers', true],
    ]);
  });

  it('hasMfa: a user with an MFA factor row', async () => {
    const e = await rules.explain('factor-user');
    expect(e.rule?.id).toBe(ids['Has a factor']);
    expect(e.reason).toBe('the user has an MFA factor (hasMfa)');
  });

  it('hasSso: a user with an SSO identity row', async () => {
    const e = await rules.explain('sso-user');
    expect(e.rule?.id).toBe(ids['Has SSO']);
    expect(e.rule?.method).toBe('sso');
    expect(e.reason).toBe('the user has an SSO identity (hasSso)');
  });

  it('regex match on the user\'s email', async () => {
    const e = await rules.explain('partner');
    expect(e.rule?.id).toBe(ids['Partners by magic link']);
    expect(e.reason).toBe('email regex /@partner\\.test$/i matches "pat@partner.test"');
  });

  it('an existing user matches an SSO JIT rule by the regex on their email', async () => {
    const e = await rules.explain('acme-user');
    expect(e.rule?.id).toBe(ids['Acme SSO with JIT']);
    expect(e.reason).toBe('email regex /@acme\\.test$/i matches "someone@acme.test"');
  });

  it('everyone else falls to the default rule, with every verdict in the trace', async () => {
    const e = await rules.explain('plain');
    expect(e.rule?.id).toBe(ids.default);
    expect(e.rule).toMatchObject({ name: 'Username/password login', method: 'password', priority: 1000 });
    expect(e.reason).toBe('email regex /.*/i matches "Plain.Person@Example.test"');
    expect(e.trace.map((v) => [v.name, v.matched, v.why])).toEqual([
      ['MFA group', false, 'neither lookup attributes nor the email regex match'],
      ['Superusers', false, 'neither lookup attributes nor the email regex match'],
      ['Has a factor', false, 'neither lookup attributes nor the email regex match'],
      ['Has SSO', false, 'neither lookup attributes nor the email regex match'],
      ['Acme SSO with JIT', false, 'neither lookup attributes nor the email regex match'],
      ['Partners by magic link', false, 'neither lookup attributes nor the email regex match'],
      ['Username/password login', true, 'email regex /.*/i matches "Plain.Person@Example.test"'],
    ]);
  });

  it('gives the same answer when asked twice', async () => {
    expect(await rules.explain('grouped')).toEqual(await rules.explain('grouped'));
  });
});

describe('explain for unknown usernames', () => {
  it('no JIT rule matches → no rule (fail closed)', async () => {
    const e = await rules.explain('ghost');
    expect(e.user).toBeNull();
    expect(e.rule).toBeNull();
    expect(e.reason).toBe('unknown username and no JIT rule matches it');
    expect(e.trace).toHaveLength(7);
    expect(e.trace.every((v) => !v.matched)).toBe(true);
  });

  it('a JIT rule whose regex matches the typed name applies', async () => {
    const e = await rules.explain('new.person@ACME.test');
    expect(e.user).toBeNull();
    expect(e.rule?.id).toBe(ids['Acme SSO with JIT']);
    expect(e.reason).toBe('unknown username; JIT rule\'s regex /@acme\\.test$/i matches "new.person@ACME.test"');
  });

  it('a name that only differs in case is not the user (usernames are exact)', async () => {
    const e = await rules.explain('GROUPED');
    expect(e.user).toBeNull();
    expect(e.rule).toBeNull();
  });

  it('an empty name is unknown', async () => {
    const e = await rules.explain('');
    expect(e.user).toBeNull();
    expect(e.rule).toBeNull();
  });
});

describe('email lookup', () => {
  it('is off by default: an email is an unknown name', async () => {
    const e = await rules.explain('pat@partner.test');
    expect(e.user).toBeNull();
    expect(e.rule).toBeNull();
  });

  it('when on, resolves a unique email ignoring case', async () => {
    const store = storeWith({ emailLookup: true });
    const e = await store.explain('plain.person@example.TEST');
    expect(e.user).toMatchObject({ username: 'plain', email: 'Plain.Person@Example.test' });
    expect(e.rule?.id).toBe(ids.default);
    const partner = await store.explain('PAT@partner.test');
    expect(partner.user?.username).toBe('partner');
    expect(partner.rule?.id).toBe(ids['Partners by magic link']);
  });

  // Threat: an email shared by two accounts logs someone into the wrong one.
  it('two users with the same email (in any case) → no user, no rule', async () => {
    const store = storeWith({ emailLookup: true });
    for (const typed of ['twin@example.test', 'Twin@Example.Test']) {
      const e = await store.explain(typed);
      expect(e.user).toBeNull();
      expect(e.rule).toBeNull();
      expect(e.reason).toBe('unknown username and no JIT rule matches it');
    }
  });

  it('username lookup comes first', async () => {
    await createUser(db.prisma, { password: null, username: 'first@partner.test', email: 'first-owner@example.test' });
    await createUser(db.prisma, { password: null, username: 'other-first', email: 'first@partner.test' });
    const e = await storeWith({ emailLookup: true }).explain('first@partner.test');
    expect(e.user).toMatchObject({ username: 'first@partner.test', email: 'first-owner@example.test' });
    expect(e.rule?.id).toBe(ids.default);
  });

  it('finds the one user with that email even when many other emails contain it', async () => {
    // Decoys created first, so they come before the real user in id order.
    for (let i = 0; i < 10; i++) await createUser(db.prisma, { password: null, username: `decoy-${i}`, email: `x${i}.crowd@example.test` });
    await createUser(db.prisma, { password: null, username: 'crowd', email: 'crowd@example.test' });
    const e = await storeWith({ emailLookup: true }).explain('crowd@example.test');
    expect(e.user?.username).toBe('crowd');
  });

  it('still refuses a shared email when many other emails contain it', async () => {
    // Seven decoys, then the two owners: a lookup that only looked at the first few candidates would see one owner.
    for (let i = 0; i < 7; i++) await createUser(db.prisma, { password: null, username: `decoy2-${i}`, email: `y${i}.pair@example.test` });
    await createUser(db.prisma, { password: null, username: 'pair-a', email: 'pair@example.test' });
    await createUser(db.prisma, { password: null, username: 'pair-b', email: 'PAIR@example.test' });
    const e = await storeWith({ emailLookup: true }).explain('pair@example.test');
    expect(e.user).toBeNull();
  });
});

describe('username lookup off', () => {
  it('a username is an unknown name; the email still finds the user', async () => {
    const store = storeWith({ usernameLookup: false, emailLookup: true });
    const byName = await store.explain('grouped');
    expect(byName.user).toBeNull();
    expect(byName.rule).toBeNull();
    const byEmail = await store.explain('grouped@example.test');
    expect(byEmail.user?.username).toBe('grouped');
    expect(byEmail.rule?.id).toBe(ids['MFA group']);
  });
});

describe('active-user filter', () => {
  it('treats an inactive user as unknown (default filter)', async () => {
    const e = await rules.explain('sleeper');
    expect(e.user).toBeNull();
    expect(e.rule).toBeNull();
    expect(e.reason).toBe('unknown username and no JIT rule matches it');
  });

  it('an inactive user typed by email is unknown too, and only a JIT rule can match the typed text', async () => {
    const e = await storeWith({ emailLookup: true }).explain('sleeper@acme.test');
    expect(e.user).toBeNull();
    expect(e.rule?.id).toBe(ids['Acme SSO with JIT']);
    expect(e.reason).toMatch(/^unknown username; JIT rule's regex/);
  });

  it('a custom filter { isActive: true, isStaff: true } lets only staff be found', async () => {
    const store = storeWith({ activeUserFilter: { isActive: true, isStaff: true } });
    const staff = await store.explain('staffer');
    expect(staff.user?.username).toBe('staffer');
    expect(staff.rule?.id).toBe(ids.default);
    const notStaff = await store.explain('plain');
    expect(notStaff.user).toBeNull();
    expect(notStaff.rule).toBeNull();
  });
});

it('logged no warnings', () => {
  expect(warnings).toEqual([]);
});
