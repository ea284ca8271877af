// docs/admin.md stays true: its TypeScript blocks are slices of this file, which runs them; the pages it lists
// answer; the templates it names exist; its action list is the real one (the settings table is settings.test.ts's).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAction, WorkosLoginRouter } from '../../src/index.ts';
import { workosLogin } from '../../src/index.ts';
import { createTestApp, createUser, PASSWORD, passwordLogin, type TestApp } from '../support/app.ts';
import { docBlocks, docSection, docText, isSliceOf, ROOT } from './support.ts';

const doc = docText('docs/admin.md');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { admin: { enabled: true } } });
});
afterAll(() => t.close());

describe('docs/admin.md', () => {
  it('every TypeScript block is a slice of this file', () => {
    const blocks = docBlocks('docs/admin.md').filter((b) => b.lang === 'ts');
    expect(blocks.length).toBe(6);
    for (const block of blocks) expect(isSliceOf(block, 'test/docs/admin.test.ts'), block.code.slice(0, 80)).toBe(true);
  });

  it('enabling it: the config as shown', async () => {
    const prisma = t.prisma;
    const login = workosLogin({
      prisma,
      baseUrl: 'https://app.example.com',
      admin: { enabled: true, allow: (user) => user.isSuperuser },
    });
    expect(login.config.admin.enabled).toBe(true);
    expect(login.config.admin.reauthSeconds).toBe(600);
  });

  it('the rules examples run as shown', async () => {
    const login: WorkosLoginRouter = t.login;
    await createUser(t.prisma, { username: 'bob', email: 'bob@acme.test' });
    const rule = await login.rules.create({ name: 'Acme SSO', method: 'sso', priority: 20, emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
    // A partial update: the given fields over the stored rule, then the whole rule is validated again.
    await login.rules.update(rule.id, { allowIdpInitiated: true });
    expect((await login.rules.show(rule.id)).rule).toMatchObject({ allowIdpInitiated: true, organizationId: 'org_acme' });

    const logged: string[] = [];
    const console = { log: (...args: unknown[]) => logged.push(JSON.stringify(args)) };
    const preview = await login.rules.preview({ name: 'Acme magic', method: 'magic', priority: 5, emailRegex: '@acme\\.test$' });
    if (preview.ok) console.log(`${preview.caught} of ${preview.total} users`, preview.sample.map((u) => u.username));
    expect(logged).toEqual([JSON.stringify(['1 of 1 users', ['bob']])]);

    const document = await login.rules.export();
    const plan = await login.rules.import(document, { dryRun: true });
    // plan.changes is empty: the export reads back unchanged.
    expect(plan.changes).toEqual([]);
  });

  it('the users and adminChange examples run as shown', async () => {
    const login: WorkosLoginRouter = t.login;
    const auditLog: unknown[] = [];
    login.on('adminChange', ({ actor, action, target, before, after, at }) => {
      auditLog.push({ at, who: actor.type === 'user' ? actor.username : actor.type, what: `${action} ${target.name}`, before, after });
    });
    const bob = await login.users.find('bob');
    await t.prisma.ssoIdentity.create({ data: { userId: bob!.id as number, scope: 'org:org_acme', idpId: 'bob', profileId: 'p', connectionId: 'conn_acme', organizationId: 'org_acme' } });
    const user = await login.users.find('bob@acme.test');
    if (user) await login.users.unlinkSso(user.id, 'org_acme', { actor: { type: 'api', name: 'offboarding' } });
    expect(auditLog).toEqual([expect.objectContaining({ who: 'api', what: 'user.unlinkSso bob', after: { identities: [] } })]);
  });

  it('names every action of adminChange', () => {
    // Exhaustive at compile time: an action added to AdminAction must be added here, then to the page.
    const actions = {
      'rule.create': true,
      'rule.update': true,
      'rule.delete': true,
      'rule.move': true,
      'user.resetMfa': true,
      'user.unlinkSso': true,
      'user.endSessions': true,
      'user.deactivate': true,
      'user.reactivate': true,
    } satisfies Record<AdminAction, true>;
    const section = docSection('docs/admin.md', 'The adminChange event');
    const named = [...section.split('`action` is one of ')[1]!.split('.\n')[0]!.matchAll(/`([\w.]+)`/g)].map((m) => m[1]);
    expect(named.sort()).toEqual(Object.keys(actions).sort());
  });

  it('every page it lists answers a staff member; every template it names exists', async () => {
    const staff = await createUser(t.prisma, { username: 'stan' });
    await t.prisma.user.update({ where: { id: staff.id }, data: { isStaff: true } });
    const agent = t.agent();
    await passwordLogin(agent, 'stan', PASSWORD);
    const rule = (await t.login.rules.list())[0]!;
    const paths = [...docSection('docs/admin.md', 'The admin pages').matchAll(/^\| (`admin\/.*?) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`(admin\/[^`]*)`/g)].map((p) => p[1]!));
    expect(paths).toHaveLength(9);
    for (const path of paths) {
      const res = await agent.get(`/accounts/${path.replace('<id>', String(path.includes('users') ? staff.id : rule.id)).replace('?q=', '?q=stan').replace('?username=', '?username=stan')}`);
      expect(res.status, path).toBe(200);
    }
    const templates = [...doc.matchAll(/`(admin_\w+\.html)`/g)].map((m) => m[1]!);
    expect(templates).toHaveLength(9);
    for (const name of templates) expect(existsSync(join(ROOT, 'views/registration', name)), name).toBe(true);
  });
});
