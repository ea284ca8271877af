// How many SQL statements a password login costs once the rules are cached, counted through Prisma's query events
// on the app's own client: step 1 reads the user only when a rule could send them past the password form; step 2
// reads the user with their MFA/SSO facts and updates lastLogin. More rules (regex-only) must not cost more queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type Agent, type TestApp } from '../support/app.ts';
import { createCountingApp, type CountingApp } from '../support/queries.ts';

let app: CountingApp;
let t: TestApp;
const login = (agent: Agent) => app.login(agent, 'pat');
const counting = (fn: () => Promise<unknown>) => app.counting(fn);

beforeAll(async () => {
  app = await createCountingApp({ rules: [{ name: 'Everyone', method: 'password', priority: 10_000, emailRegex: '.*' }] });
  t = app.t;
  await createUser(t.prisma, { username: 'pat' });
});
afterAll(() => app.close());

describe('queries per password login (rules cached)', () => {
  it('with password-only rules, step 1 asks nothing; step 2 reads the user once and updates lastLogin: 2 in all', async () => {
    await login(t.agent()); // fills the rule cache
    const { step1, step2 } = await login(t.agent());
    expect(step1).toEqual([]);
    expect(step2).toHaveLength(2);
    expect(step2.filter((q) => /^UPDATE/i.test(q))).toHaveLength(1);
  });

  it('costs the same with 100 more regex-only rules', async () => {
    for (let i = 0; i < 100; i++) await t.login.rules.create({ name: `rule ${i}`, method: 'password', priority: i + 1, emailRegex: `^nobody${i}@corp${i}\\.test$` });
    await login(t.agent());
    const { step1, step2 } = await login(t.agent());
    expect(step1.length + step2.length).toBe(2);
  });

  it('a logged-in page view reads the user once', async () => {
    const agent = t.agent();
    await login(agent);
    const page = await counting(() => agent.get('/private').expect(200));
    expect(page).toHaveLength(1);
  });

  it('the login counts MFA factors and SSO identities of the user it reads only; a page view counts none', async () => {
    const agent = t.agent();
    const { step2 } = await login(agent);
    const [read] = step2.filter((q) => /^SELECT/i.test(q));
    expect(read).toMatch(/MfaFactor/);
    expect(read).toMatch(/SsoIdentity/);
    // Prisma's unfiltered relation count is `… FROM MfaFactor WHERE 1=1 GROUP BY userId`: every factor of every user.
    expect(read).not.toMatch(/WHERE 1=1 GROUP BY/);
    const page = await counting(() => agent.get('/private').expect(200));
    expect(page).toHaveLength(1);
    expect(page[0]).not.toMatch(/MfaFactor|SsoIdentity/);
  });
});

describe('a rule set where some names go to a method with its own step 2', () => {
  it('step 1 reads the user (the answer depends on who it is): 3 in all, and within a second of the rule on another instance', async () => {
    const other = await createTestApp({ sameDatabaseAs: t });
    try {
      await other.login.rules.create({ name: 'Links for links.test', method: 'magic', priority: 0, emailRegex: '@links\\.test$' });
      t.clock.advance(1100); // past the rule cache's stamp check
      await login(t.agent());
      const { step1, step2 } = await login(t.agent());
      expect(step1).toHaveLength(1);
      expect(step1[0]).toMatch(/FROM\W+(\w+\W+)?User\W/);
      expect(step1.length + step2.length).toBe(3);
    } finally {
      await other.close();
    }
  });
});
