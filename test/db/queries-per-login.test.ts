// How many SQL statements a password login costs once the rules are cached, counted through Prisma's query events
// on the app's own client: the user with their MFA/SSO facts once per request, and the lastLogin update. More rules
// (regex-only) must not cost more queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type Agent, type TestApp } from '../support/app.ts';
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
  it('step 1 reads the user once; step 2 reads the user once and updates lastLogin: 3 in all', async () => {
    await login(t.agent()); // fills the rule cache
    const { step1, step2 } = await login(t.agent());
    expect(step1).toHaveLength(1);
    expect(step2).toHaveLength(2);
    expect(step2.filter((q) => /^UPDATE/i.test(q))).toHaveLength(1);
  });

  it('costs the same with 100 more regex-only rules', async () => {
    for (let i = 0; i < 100; i++) await t.login.rules.create({ name: `rule ${i}`, method: 'password', priority: i + 1, emailRegex: `^nobody${i}@corp${i}\\.test$` });
    await login(t.agent());
    const { step1, step2 } = await login(t.agent());
    expect(step1.length + step2.length).toBe(3);
  });

  it('a logged-in page view reads the user once', async () => {
    const agent = t.agent();
    await login(agent);
    const page = await counting(() => agent.get('/private').expect(200));
    expect(page).toHaveLength(1);
  });
});
