// Lookup-attribute rules cost no query per rule: a login answers them in memory from the user it read. The
// relation rows the filters name are read once, then checked (not re-read) in the statement that reads the user,
// so a login costs 3 statements whatever the rules. Counted through Prisma's query events on the app's own client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, csrf, isLoggedIn, PASSWORD, type Agent, type TestApp } from '../support/app.ts';
import { createCountingApp, type CountingApp } from '../support/queries.ts';

let app: CountingApp;
let t: TestApp;
const login = (agent: Agent) => app.login(agent, 'pat');
const counting = (fn: () => Promise<unknown>) => app.counting(fn);

/** 19 lookup rules that do not match pat (so each one is reached), of the shapes hosts write. */
const LOOKUPS: Record<string, unknown>[] = [
  ...Array.from({ length: 6 }, (_, i) => ({ groups: { some: { name: `team-${i}` } } })),
  ...Array.from({ length: 5 }, (_, i) => ({ username: `someone-${i}` })),
  { isStaff: true },
  { isSuperuser: true, isActive: true },
  { OR: [{ isStaff: true }, { firstName: 'Zed' }] },
  { NOT: { isActive: true } },
  { sessionVersion: { gt: 50 } },
  { lastName: { in: ['Nobody', 'Noone'] } },
  { groups: { none: { name: 'pat-team' } } },
  { firstName: { not: 'Pat' }, lastName: 'Nobody' },
];

beforeAll(async () => {
  app = await createCountingApp({ rules: [{ name: 'Everyone', method: 'password', priority: 10_000, emailRegex: '.*' }] });
  t = app.t;
  await createUser(t.prisma, { username: 'pat', groups: ['pat-team'] });
  for (let i = 0; i < 6; i++) await t.prisma.group.create({ data: { name: `team-${i}` } });
  expect(LOOKUPS).toHaveLength(19);
  // One rule with its own step 2 (magic links for a domain pat is not in), so step 1 must resolve pat's rule too.
  await t.login.rules.create({ name: 'Links for links.test', method: 'magic', priority: 0, emailRegex: '@links\\.test$' });
  for (let i = 0; i < 80 - 2; i++) await t.login.rules.create({ name: `regex ${i}`, method: 'password', priority: i + 1, emailRegex: `^nobody${i}@corp${i}\\.test$` });
  for (const [i, where] of LOOKUPS.entries()) await t.login.rules.create({ name: `lookup ${i}`, method: 'password', priority: 100 + i, lookupAttributes: where });
  expect(await t.login.rules.list()).toHaveLength(100);
});
afterAll(() => app.close());

describe('queries per password login with 100 rules, 19 of them lookup rules (rules cached)', () => {
  it('3 statements in all: the user with their facts and checked groups at each step, and the lastLogin update', async () => {
    await login(t.agent()); // fills the rule cache
    const { step1, step2 } = await login(t.agent());
    expect(step1, step1.join('\n')).toHaveLength(1);
    expect(step2, step2.join('\n')).toHaveLength(2);
    expect(step2.filter((q) => /^UPDATE/i.test(q))).toHaveLength(1);
    // The user read of each step is the statement that checks the remembered groups (the join table).
    for (const q of [step1[0]!, ...step2.filter((q) => !/^UPDATE/i.test(q))]) expect(q).toMatch(/FROM\W+(\w+\W+)?User\W.*_UserGroups/s);
    for (const q of [...step1, ...step2]) expect(q).not.toMatch(/^SELECT COUNT/i);
  });

  it('a user no login has read yet costs one more statement, once: the groups', async () => {
    await createUser(t.prisma, { username: 'newcomer', groups: ['pat-team'] });
    const first = await app.login(t.agent(), 'newcomer');
    expect(first.step1, first.step1.join('\n')).toHaveLength(2);
    expect(first.step2, first.step2.join('\n')).toHaveLength(2);
    const { step1, step2 } = await app.login(t.agent(), 'newcomer');
    expect(step1.length + step2.length).toBe(3);
  });

  it('a rule naming one more relation: that relation is read once, then checked in the user read', async () => {
    await t.login.rules.explain('pat'); // the groups are remembered
    const before = await counting(() => t.login.rules.explain('pat'));
    expect(before, before.join('\n')).toHaveLength(1);
    await t.login.rules.create({ name: 'managers', method: 'password', priority: 150, lookupAttributes: { profile: { is: { isManager: true } } } });
    await t.login.rules.create({ name: 'managers 2', method: 'password', priority: 151, lookupAttributes: { profile: { title: 'Boss' } } });
    await t.login.rules.explain('pat'); // reloads the snapshot, reads the profile once
    const after = await counting(() => t.login.rules.explain('pat'));
    expect(after, after.join('\n')).toHaveLength(1);
    const { rule, trace } = await t.login.rules.explain('pat');
    expect(rule?.priority).toBeGreaterThan(151); // every lookup rule was reached, and none matched
    expect(trace.length).toBeGreaterThan(100);
  });
});

describe('remembered relation rows are checked on every read, never trusted', () => {
  const ruleOf = async (name: string) => (await t.login.rules.explain(name)).rule?.name;

  it('joining, leaving, and a renamed group all change the rule at the next read', async () => {
    await createUser(t.prisma, { username: 'kim', groups: ['pat-team'] });
    const fallback = await ruleOf('kim'); // the first rule without lookups that applies to everyone
    expect(fallback).toBeDefined();
    expect(await ruleOf('kim')).toBe(fallback); // now remembered
    // Joining team-3 (lookup 3: `groups: { some: { name: 'team-3' } }`).
    await t.prisma.user.update({ where: { username: 'kim' }, data: { groups: { connect: { name: 'team-3' } } } });
    expect(await ruleOf('kim')).toBe('lookup 3');
    expect(await ruleOf('kim')).toBe('lookup 3');
    await t.prisma.user.update({ where: { username: 'kim' }, data: { groups: { disconnect: { name: 'team-3' } } } });
    expect(await ruleOf('kim')).toBe(fallback);
    // Leaving pat-team makes lookup 17 (`groups: { none: { name: 'pat-team' } }`) apply.
    await t.prisma.user.update({ where: { username: 'kim' }, data: { groups: { disconnect: { name: 'pat-team' } } } });
    expect(await ruleOf('kim')).toBe('lookup 17');
    expect(await ruleOf('kim')).toBe('lookup 17');
    // Back in pat-team, then a group no rule names is renamed to one a rule names.
    await t.prisma.user.update({ where: { username: 'kim' }, data: { groups: { connect: { name: 'pat-team' } } } });
    expect(await ruleOf('kim')).toBe(fallback);
    await t.prisma.group.create({ data: { name: 'kims-team', users: { connect: { username: 'kim' } } } });
    expect(await ruleOf('kim')).toBe(fallback);
    expect(await ruleOf('kim')).toBe(fallback);
    await t.prisma.group.update({ where: { name: 'team-5' }, data: { name: 'team-5-old' } });
    await t.prisma.group.update({ where: { name: 'kims-team' }, data: { name: 'team-5' } });
    expect(await ruleOf('kim')).toBe('lookup 5');
  });

  it('a group joined between the two steps of a login decides step 2: no password login past a magic-link rule', async () => {
    await t.prisma.group.create({ data: { name: 'links-only' } });
    await t.login.rules.create({ name: 'links only', method: 'magic', priority: 90, lookupAttributes: { groups: { some: { name: 'links-only' } } } });
    await createUser(t.prisma, { username: 'lee', groups: ['pat-team'] });
    expect(await isLoggedIn(await passwordOnly('lee'))).toBe(true); // reads and remembers lee's groups
    const agent = t.agent();
    const token = await csrf(agent);
    const step1 = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'lee' }).expect(200);
    expect(step1.text).toContain('name="password"');
    await t.prisma.user.update({ where: { username: 'lee' }, data: { groups: { connect: { name: 'links-only' } } } });
    const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'lee', password: PASSWORD });
    expect(step2.status).not.toBe(303);
    expect(await isLoggedIn(agent)).toBe(false);
    expect(await ruleOf('lee')).toBe('links only');
  });

  it('a single related row (the profile) added, changed or removed changes the rule at the next read', async () => {
    const max = await createUser(t.prisma, { username: 'max', groups: ['pat-team'] });
    const fallback = await ruleOf('max');
    expect(await ruleOf('max')).toBe(fallback); // no profile, remembered
    await t.prisma.profile.create({ data: { userId: max.id, isManager: true } });
    expect(await ruleOf('max')).toBe('managers');
    expect(await ruleOf('max')).toBe('managers');
    await t.prisma.profile.update({ where: { userId: max.id }, data: { isManager: false, title: 'Boss' } });
    expect(await ruleOf('max')).toBe('managers 2');
    expect(await ruleOf('max')).toBe('managers 2');
    await t.prisma.profile.delete({ where: { userId: max.id } });
    expect(await ruleOf('max')).toBe(fallback);
  });

  async function passwordOnly(username: string): Promise<Agent> {
    const agent = t.agent();
    await app.login(agent, username);
    return agent;
  }
});
