// `login.rules.export()` and `import(document, { dryRun })`: the export reads back unchanged; an import makes the
// stored rules exactly the document's (by name), after validating every rule; a dry run shows the changes and writes
// nothing; and a failing import changes nothing, whether it fails validation or fails in the database half-way.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RuleValidationError, type ExportedRule, type RulesDocument } from '../../src/index.ts';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.prisma.group.create({ data: { name: 'Engineering' } });
});
afterAll(() => t.close());

const SEED = [
  { name: 'Staff MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true } },
  { name: 'Acme SSO', method: 'sso', priority: 20, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes', jitGroups: ['Engineering'] },
  { name: 'Magic', method: 'magic', priority: 30, emailRegex: '@magic\\.test$' },
] as const;

beforeEach(async () => {
  await t.prisma.loginRule.deleteMany({ where: { NOT: { name: 'Username/password login' } } });
  t.login.rules.invalidate();
  for (const rule of SEED) await t.login.rules.create({ ...rule, jitGroups: 'jitGroups' in rule ? [...rule.jitGroups] : [] });
});

const rule = (doc: RulesDocument, name: string): ExportedRule => doc.rules.find((r) => r.name === name)!;

describe('export', () => {
  it('every rule, every field, in priority order, as plain JSON', async () => {
    const doc = await t.login.rules.export();
    expect(doc.version).toBe(1);
    expect(doc.rules.map((r) => r.name)).toEqual(['Staff MFA', 'Acme SSO', 'Magic', 'Username/password login']);
    expect(rule(doc, 'Acme SSO')).toEqual({
      name: 'Acme SSO',
      method: 'sso',
      priority: 20,
      enabled: true,
      emailRegex: '@acme\\.test$',
      lookupAttributes: {},
      connectionId: '',
      organizationId: 'org_acme',
      jitCreation: 'attributes',
      jitGroups: ['Engineering'],
      savedAttributes: {},
      totpOrganizationName: '',
      allowIdpInitiated: false,
      linkExistingByEmail: null,
      directoryProvisioning: {},
    });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('imported back, it changes nothing', async () => {
    const doc = await t.login.rules.export();
    const from = t.events.of('adminChange').length;
    const result = await t.login.rules.import(JSON.parse(JSON.stringify(doc)));
    expect(result).toEqual({ dryRun: false, applied: false, changes: [], unchanged: doc.rules.map((r) => r.name), errors: [] });
    expect(t.events.of('adminChange').length).toBe(from);
  });
});

describe('import', () => {
  function edited(doc: RulesDocument): RulesDocument {
    return {
      version: 1,
      rules: [
        // Swapped priorities (10 ↔ 30) must not collide on the way.
        { ...rule(doc, 'Staff MFA'), priority: 30 },
        { ...rule(doc, 'Magic'), priority: 10, emailRegex: '@magic\\.test$|@wand\\.test$' },
        rule(doc, 'Username/password login'),
        { ...rule(doc, 'Magic'), name: 'Google', method: 'GoogleOAuth', priority: 40, emailRegex: '@gmail\\.test$' },
      ],
    };
  }

  it('a dry run lists the creates, updates (changed fields only) and deletes, and writes nothing', async () => {
    const before = await t.login.rules.export();
    const result = await t.login.rules.import(edited(before), { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.applied).toBe(false);
    expect(result.errors).toEqual([]);
    expect(result.changes.map((c) => [c.action, c.name, c.before, c.after && (c.action === 'create' ? { method: c.after.method } : c.after)])).toEqual([
      ['update', 'Staff MFA', { priority: 10 }, { priority: 30 }],
      ['update', 'Magic', { priority: 30, emailRegex: '@magic\\.test$' }, { priority: 10, emailRegex: '@magic\\.test$|@wand\\.test$' }],
      ['create', 'Google', null, { method: 'GoogleOAuth' }],
      ['delete', 'Acme SSO', expect.objectContaining({ name: 'Acme SSO', organizationId: 'org_acme' }), null],
    ]);
    expect(result.unchanged).toEqual(['Username/password login']);
    expect(await t.login.rules.export()).toEqual(before);
  });

  it('applies them all, and logins see the new rules; one adminChange per rule, via import', async () => {
    await createUser(t.prisma, { username: 'wanda', email: 'wanda@wand.test' });
    const before = await t.login.rules.export();
    const from = t.events.of('adminChange').length;
    const result = await t.login.rules.import(edited(before), { actor: { type: 'cli', name: 'ops' } });
    expect(result.applied).toBe(true);
    const after = await t.login.rules.export();
    expect(after.rules.map((r) => `${r.name}:${r.priority}`)).toEqual(['Magic:10', 'Staff MFA:30', 'Google:40', 'Username/password login:1000']);
    expect(after).toEqual({ version: 1, rules: [rule(edited(before), 'Magic'), rule(edited(before), 'Staff MFA'), rule(edited(before), 'Google'), rule(before, 'Username/password login')] });
    expect((await t.login.explain('wanda')).rule?.name).toBe('Magic');
    const events = t.events.of('adminChange').slice(from);
    expect(events.map((e) => [e.action, e.target.name, e.via, e.actor])).toEqual([
      ['rule.update', 'Staff MFA', 'import', { type: 'cli', name: 'ops' }],
      ['rule.update', 'Magic', 'import', { type: 'cli', name: 'ops' }],
      ['rule.create', 'Google', 'import', { type: 'cli', name: 'ops' }],
      ['rule.delete', 'Acme SSO', 'import', { type: 'cli', name: 'ops' }],
    ]);
    expect(events.find((e) => e.action === 'rule.create')!.target.id).toBe((await t.login.rules.list()).find((r) => r.name === 'Google')!.id);
  });

  it('accepts a bare list of rules too', async () => {
    const doc = await t.login.rules.export();
    const result = await t.login.rules.import(doc.rules.filter((r) => r.name !== 'Magic'), { dryRun: true });
    expect(result.changes.map((c) => [c.action, c.name])).toEqual([['delete', 'Magic']]);
  });
});

describe('a failing import changes nothing', () => {
  it('one invalid rule: every error named by rule and field; a dry run returns them, a real import throws them', async () => {
    const before = await t.login.rules.export();
    const doc = { version: 1, rules: [...before.rules, { name: 'Bad', method: 'mfa', priority: 5, emailRegex: '(' }, { name: 'Worse', method: 'sso', priority: 6, emailRegex: '@w\\.test$', organizationId: 'org_w', jitCreation: 'attributes', jitGroups: ['Nope'] }] };
    const dry = await t.login.rules.import(doc, { dryRun: true });
    expect(dry.errors.map((e) => e.path).sort()).toEqual(['rules.4.emailRegex', 'rules.4.totpOrganizationName', 'rules.5.jitGroups'].sort());
    expect(dry.changes).toEqual([]);
    const err = (await t.login.rules.import(doc).catch((e: unknown) => e)) as RuleValidationError;
    expect(err).toBeInstanceOf(RuleValidationError);
    expect(err.issues.map((e) => e.path)).toContain('rules.4.totpOrganizationName');
    expect(await t.login.rules.export()).toEqual(before);
  });

  it('two rules with one name or one priority in the document', async () => {
    const before = await t.login.rules.export();
    const doc = { version: 1, rules: [...before.rules, { ...before.rules[0]!, priority: 77 }, { ...before.rules[1]!, name: 'Other', priority: 10 }] };
    const err = (await t.login.rules.import(doc).catch((e: unknown) => e)) as RuleValidationError;
    expect(err.issues).toEqual([
      { path: 'rules.4.name', message: 'rule 0 has the same name (Staff MFA)' },
      { path: 'rules.5.priority', message: 'rule 0 has the same priority (10)' },
    ]);
    expect(await t.login.rules.export()).toEqual(before);
  });

  it('not a rules document', async () => {
    await expect(t.login.rules.import({ rules: 'all of them' })).rejects.toThrow('expected { "version": 1, "rules": [...] } or a list of rules');
    expect((await t.login.rules.import(42, { dryRun: true })).errors).toEqual([{ path: '(document)', message: 'expected { "version": 1, "rules": [...] } or a list of rules' }]);
  });

  it('the database refuses the last write (after the deletes and updates ran): all of it is rolled back', async () => {
    // A trigger in the real database refuses one insert, so the transaction fails after its other writes.
    if (t.db.provider === 'sqlite') {
      await t.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_boom BEFORE INSERT ON "LoginRule" WHEN NEW."name" = 'Boom' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END`);
    } else {
      const schema = `"${t.db.schema!}"`;
      await t.prisma.$executeRawUnsafe(`CREATE FUNCTION ${schema}.refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW."name" = 'Boom' THEN RAISE EXCEPTION 'refused by trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await t.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_boom BEFORE INSERT ON ${schema}."LoginRule" FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse_boom()`);
    }
    try {
      const before = await t.login.rules.export();
      const from = t.events.of('adminChange').length;
      const doc = {
        version: 1,
        rules: [{ ...rule(before, 'Magic'), priority: 10 }, { ...rule(before, 'Staff MFA'), priority: 30 }, rule(before, 'Username/password login'), { name: 'Boom', method: 'password', priority: 99, emailRegex: '@boom\\.test$' }],
      };
      expect((await t.login.rules.import(doc, { dryRun: true })).changes.map((c) => c.action)).toEqual(['update', 'update', 'create', 'delete']);
      const failed = await t.login.rules.import(doc).catch((e: unknown) => e);
      // The insert of the last rule is what failed: the deletes and updates before it had run in the transaction.
      expect(String(failed)).toContain('loginRule.create()');
      expect((failed as Error).name).toBe('PrismaClientKnownRequestError');
      expect(await t.login.rules.export()).toEqual(before);
      expect(t.events.of('adminChange').length).toBe(from);
    } finally {
      // (PostgreSQL: the function and trigger go with the test schema.)
      if (t.db.provider === 'sqlite') await t.prisma.$executeRawUnsafe('DROP TRIGGER refuse_boom');
      else await t.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_boom ON "${t.db.schema!}"."LoginRule"`);
    }
  });
});
