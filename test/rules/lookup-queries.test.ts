// Lookup-attribute rules cost no query per rule: a login answers them in memory from the user it read, plus at
// most one read of the relations the filters name. Counted through Prisma's query events on the app's own client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type Agent, type TestApp } from '../support/app.ts';
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
  for (let i = 0; i < 80 - 1; i++) await t.login.rules.create({ name: `regex ${i}`, method: 'password', priority: i + 1, emailRegex: `^nobody${i}@corp${i}\\.test$` });
  for (const [i, where] of LOOKUPS.entries()) await t.login.rules.create({ name: `lookup ${i}`, method: 'password', priority: 100 + i, lookupAttributes: where });
  expect(await t.login.rules.list()).toHaveLength(100);
});
afterAll(() => app.close());

describe('queries per password login with 100 rules, 19 of them lookup rules (rules cached)', () => {
  it('each step reads the user and, once, the relations the filters name: never one query per rule', async () => {
    await login(t.agent()); // fills the rule cache
    const { step1, step2 } = await login(t.agent());
    // Step 1: the user with their facts, then the groups and profile the filters name (one read, however many rules).
    // Each step: the user with their facts, and the user's groups (the one relation the filters name).
    expect(step1, step1.join('\n')).toHaveLength(2);
    expect(step2, step2.join('\n')).toHaveLength(3);
    expect(step2.filter((q) => /^UPDATE/i.test(q))).toHaveLength(1);
    for (const q of [...step1, ...step2]) expect(q).not.toMatch(/^SELECT COUNT/i);
  });

  it('a rule naming one more relation costs one more statement per resolution, not one per rule', async () => {
    const before = await counting(() => t.login.rules.explain('pat'));
    expect(before).toHaveLength(2); // the user, the groups
    await t.login.rules.create({ name: 'managers', method: 'password', priority: 150, lookupAttributes: { profile: { is: { isManager: true } } } });
    await t.login.rules.create({ name: 'managers 2', method: 'password', priority: 151, lookupAttributes: { profile: { title: 'Boss' } } });
    await t.login.rules.explain('pat'); // reloads the snapshot
    const after = await counting(() => t.login.rules.explain('pat'));
    expect(after, after.join('\n')).toHaveLength(3);
    const { rule, trace } = await t.login.rules.explain('pat');
    expect(rule?.priority).toBeGreaterThan(151); // every lookup rule was reached, and none matched
    expect(trace.length).toBeGreaterThan(100);
  });
});
