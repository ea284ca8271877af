// `login.rules.update(id, fields)` is a partial update: the given fields over the stored rule, then the whole rule
// validated as on create; a refused update changes nothing. Creates, updates and deletes emit `adminChange` with
// who, what changed before/after, and when.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RuleValidationError } from '../../src/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const stored = (id: number) => t.login.rules.show(id).then((s) => s.rule);

describe('partial update', () => {
  it('changes only the given fields and keeps the others', async () => {
    const rule = await t.login.rules.create({ name: 'Acme MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', emailRegex: '@acme\\.test$' });
    const updated = await t.login.rules.update(rule.id, { enabled: false });
    expect(updated).toMatchObject({ id: rule.id, name: 'Acme MFA', method: 'mfa', enabled: false, totpOrganizationName: 'Acme', emailRegex: '@acme\\.test$', priority: 10 });
    expect(await stored(rule.id)).toMatchObject({ enabled: false, totpOrganizationName: 'Acme' });
  });

  it('validates the whole rule after the merge: a field that makes it invalid is refused and nothing changes', async () => {
    const rule = await t.login.rules.create({ name: 'Beta MFA', method: 'mfa', priority: 11, totpOrganizationName: 'Beta', emailRegex: '@beta\\.test$' });
    const before = await stored(rule.id);
    const err = (await t.login.rules.update(rule.id, { totpOrganizationName: '' }).catch((e: unknown) => e)) as RuleValidationError;
    expect(err).toBeInstanceOf(RuleValidationError);
    expect(err.issues).toEqual([{ path: 'totpOrganizationName', message: 'is required for the mfa method' }]);
    expect(await stored(rule.id)).toEqual(before);

    // Switching the method needs that method's fields, and drops the old one's.
    const noConnection = (await t.login.rules.update(rule.id, { method: 'sso', totpOrganizationName: '' }).catch((e: unknown) => e)) as RuleValidationError;
    expect(noConnection.issues.map((i) => i.path)).toEqual(['connectionId']);
    const sso = await t.login.rules.update(rule.id, { method: 'sso', totpOrganizationName: '', organizationId: 'org_beta' });
    expect(sso).toMatchObject({ method: 'sso', organizationId: 'org_beta', totpOrganizationName: '', emailRegex: '@beta\\.test$' });
  });

  it('is checked against the other rules only (its own name and priority are fine)', async () => {
    const rule = await t.login.rules.create({ name: 'Gamma', method: 'password', priority: 12, emailRegex: '@gamma\\.test$' });
    await expect(t.login.rules.update(rule.id, { name: 'Gamma', priority: 12 })).resolves.toMatchObject({ name: 'Gamma' });
    const err = (await t.login.rules.update(rule.id, { priority: 10 }).catch((e: unknown) => e)) as RuleValidationError;
    expect(err.issues).toEqual([{ path: 'priority', message: 'another rule already has priority 10' }]);
  });

  it('repairs a broken row written straight to the database', async () => {
    const row = await t.prisma.loginRule.create({ data: { name: 'Broken', method: 'mfa', priority: 13, emailRegex: '@broken\\.test$' } });
    const shown = await t.login.rules.show(row.id);
    expect(shown.issues).toEqual([{ path: 'totpOrganizationName', message: 'is required for the mfa method' }]);
    const fixed = await t.login.rules.update(row.id, { totpOrganizationName: 'Fixed' });
    expect(fixed.totpOrganizationName).toBe('Fixed');
    expect((await t.login.rules.show(row.id)).issues).toBeNull();
    expect((await t.login.rules.list()).some((r) => r.id === row.id)).toBe(true);
  });

  it('a rule that does not exist: NotFoundError (code target_not_found), for update, delete and show', async () => {
    for (const call of [() => t.login.rules.update(99_999, { enabled: false }), () => t.login.rules.delete(99_999), () => t.login.rules.show(99_999)]) {
      const err = (await call().catch((e: unknown) => e)) as NotFoundError;
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.code).toBe('target_not_found');
      expect(err.message).toBe('no rule has id 99999');
    }
  });
});

describe('adminChange events', () => {
  it('create, update (changed fields only) and delete, with the actor and the time', async () => {
    const from = t.events.of('adminChange').length;
    const actor = { type: 'cli' as const, name: 'ops' };
    const rule = await t.login.rules.create({ name: 'Audited', method: 'password', priority: 20, emailRegex: '@audit\\.test$' }, { actor });
    await t.login.rules.update(rule.id, { emailRegex: '@audited\\.test$', enabled: true }, { actor });
    await t.login.rules.update(rule.id, { enabled: true }); // nothing changes: no event
    await t.login.rules.delete(rule.id);
    const events = t.events.of('adminChange').slice(from);
    expect(events.map((e) => e.action)).toEqual(['rule.create', 'rule.update', 'rule.delete']);
    expect(events[0]).toMatchObject({ actor, target: { type: 'rule', id: rule.id, name: 'Audited' }, before: null, after: { name: 'Audited', emailRegex: '@audit\\.test$', priority: 20 } });
    expect(events[1]).toMatchObject({ actor, before: { emailRegex: '@audit\\.test$' }, after: { emailRegex: '@audited\\.test$' } });
    expect(Object.keys(events[1]!.after!)).toEqual(['emailRegex']);
    expect(events[2]).toMatchObject({ actor: { type: 'api' }, before: { name: 'Audited', emailRegex: '@audited\\.test$' }, after: null });
    for (const e of events) expect(e.at).toEqual(new Date(t.clock.now));
  });

  it('a refused change emits nothing', async () => {
    const from = t.events.of('adminChange').length;
    await t.login.rules.create({ name: '', method: 'password', priority: 21, emailRegex: '.*' }).catch(() => undefined);
    expect(t.events.of('adminChange').length).toBe(from);
  });
});
