// A database failure during login ends in a calm 503 page: no stack trace, no driver or Prisma details.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient as PostgresClient } from '../../generated/postgres/client.ts';
import { PrismaClient as SqliteClient } from '../../generated/sqlite/client.ts';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, csrf, type TestApp } from '../support/app.ts';
import { usingPostgres, type TestPrisma } from '../support/db.ts';

let t: TestApp;
let down: TestPrisma;
const dir = mkdtempSync(join(tmpdir(), 'ewl-down-'));
const logged: string[] = [];

beforeAll(async () => {
  // The app's client points at a database it cannot use: a PostgreSQL server that is not there, or a SQLite
  // file that is not a database. (The harness's own database is only there to be cleaned up.)
  const corrupt = join(dir, 'corrupt.db');
  writeFileSync(corrupt, 'this is not a database file. '.repeat(200));
  down = usingPostgres
    ? (new PostgresClient({ adapter: new PrismaPg({ connectionString: 'postgres://postgres@127.0.0.1:1/unreachable', connectionTimeoutMillis: 2000 }) }) as unknown as TestPrisma)
    : new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${corrupt}` }) });
  t = await createTestApp({
    config: {
      prisma: down,
      logger: { info() {}, warn() {}, error: (m: string, meta?: Record<string, unknown>) => void logged.push(`${m} ${JSON.stringify(meta ?? {})}`) },
    },
  });
});
afterAll(async () => {
  await down.$disconnect().catch(() => {});
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectCalmErrorPage(res: { status: number; text: string; headers: Record<string, string> }) {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain(LOGIN_MESSAGES.upstream);
  expect(res.text).toContain('try again');
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|\bat \//);
  expect(res.text).not.toMatch(/prisma|sqlite|postgres|ECONNREFUSED|corrupt|unreachable|not a database/i);
  expect(res.headers['cache-control']).toBe('no-store');
}

describe('database down', () => {
  it('answers the password step with a 503 page', async () => {
    // Threat (item 2): a database error leaks stack traces, queries or connection details to the visitor.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'anyone', password: 'whatever pw' });
    expectCalmErrorPage(res);
    expect(t.events.of('login')).toHaveLength(0);
    // The details go to the host's logger instead.
    expect(logged.at(-1)).toContain('express-workos-login: upstream on POST /accounts/login');
  });

  it('answers the username step with a 503 page', async () => {
    // Threat (item 2): the same leak through step 2.
    const agent = t.agent();
    const token = await csrf(agent);
    expectCalmErrorPage(await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'anyone' }));
  });

  it('answers ?start=true with a 503 page', async () => {
    expectCalmErrorPage(await t.agent().get('/accounts/login/?username=anyone&start=true'));
  });
});
