// How many SQL statements a password login costs once the rules are cached, counted through Prisma's query events
// on the app's own client: the user with their MFA/SSO facts once per request, and the lastLogin update. More rules
// (regex-only) must not cost more queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, csrf, PASSWORD, type Agent, type TestApp } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let t: TestApp;
const queries: string[] = [];

beforeAll(async () => {
  db = await createTestDb();
  const counted = { ...db, prisma: db.newClient({ onQuery: (sql) => queries.push(sql) }) };
  t = await createTestApp({ db: counted, rules: [{ name: 'Everyone', method: 'password', priority: 10_000, emailRegex: '.*' }] });
  await createUser(t.prisma, { username: 'pat' });
});
afterAll(async () => {
  await t.close();
  await db.close();
});

/** Statements sent while `fn` runs. */
async function counting(fn: () => Promise<unknown>): Promise<string[]> {
  const start = queries.length;
  await fn();
  return queries.slice(start);
}

async function login(agent: Agent): Promise<{ step1: string[]; step2: string[] }> {
  const token = await csrf(agent);
  const step1 = await counting(() => agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'pat' }).expect(200));
  const step2 = await counting(() => agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'pat', password: PASSWORD }).expect(303));
  return { step1, step2 };
}

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
