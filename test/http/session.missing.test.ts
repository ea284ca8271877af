// A host that forgot express-session gets a clear, fix-it error instead of a crash or a silent bypass.
import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workosLogin } from '../../src/index.ts';
import { TEST_BCRYPT_COST } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let app: express.Express;
const errors: string[] = [];
let reached = false;

beforeAll(async () => {
  db = await createTestDb();
  const login = workosLogin({
    prisma: db.prisma,
    baseUrl: 'http://app.test',
    bcryptCost: TEST_BCRYPT_COST,
    logger: { info() {}, warn() {}, error: (m: string) => void errors.push(m) },
  });
  app = express();
  app.use('/accounts', login);
  app.get('/private', login.requireLogin, (_req, res) => {
    reached = true;
    res.send('private');
  });
});
afterAll(() => db.close());

function expectClearError(res: { status: number; text: string; headers: Record<string, string> }) {
  expect(res.status).toBe(500);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  expect(res.text).toContain('express-workos-login needs express-session');
  expect(res.text).toContain("app.use(session({...}))");
  expect(res.text).not.toMatch(/\n\s+at /);
  expect(res.text).not.toContain('TypeError');
}

describe('without express-session', () => {
  it('answers GET login/ with an error naming express-session', async () => {
    expectClearError(await supertest(app).get('/accounts/login/'));
    expect(errors.at(-1)).toContain('express-session');
  });

  it('answers POST login/ the same way', async () => {
    expectClearError(await supertest(app).post('/accounts/login/').type('form').send({ username: 'x', password: 'y' }));
  });

  it('does not let requireLogin through', async () => {
    // Threat (item 22): a misconfigured host serves protected pages because the session check fails open.
    // On the host's own routes the ConfigError goes to the host's error handler (here Express's default one).
    const res = await supertest(app).get('/private');
    expect(res.status).toBe(500);
    expect(reached).toBe(false);
    expect(res.text).toContain('express-workos-login needs express-session');
  });
});
