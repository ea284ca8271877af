// An app whose own Prisma client reports every SQL statement, for tests that count queries per request.
import { createTestApp, csrf, PASSWORD, type Agent, type TestApp, type TestAppOptions } from './app.ts';
import { createTestDb, type TestDb } from './db.ts';

export interface CountingApp {
  t: TestApp;
  /** The statements `fn` sent. */
  counting(fn: () => Promise<unknown>): Promise<string[]>;
  /** Both steps of a password login for `username`: the statements each sent. */
  login(agent: Agent, username: string): Promise<{ step1: string[]; step2: string[] }>;
  close(): Promise<void>;
}

export async function createCountingApp(options: Omit<TestAppOptions, 'db'> = {}): Promise<CountingApp> {
  const db: TestDb = await createTestDb();
  const queries: string[] = [];
  const t = await createTestApp({ ...options, db: { ...db, prisma: db.newClient({ onQuery: (sql) => queries.push(sql) }) } });
  const counting = async (fn: () => Promise<unknown>) => {
    const start = queries.length;
    await fn();
    return queries.slice(start);
  };
  return {
    t,
    counting,
    async login(agent, username) {
      const token = await csrf(agent);
      const step1 = await counting(() => agent.post('/accounts/login/').type('form').send({ _csrf: token, username }).expect(200));
      const step2 = await counting(() => agent.post('/accounts/login/').type('form').send({ _csrf: token, username, password: PASSWORD }).expect(303));
      return { step1, step2 };
    },
    async close() {
      await t.close();
      await db.close();
    },
  };
}
