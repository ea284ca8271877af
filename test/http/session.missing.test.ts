// A host that forgot express-session gets a clear, fix-it error instead of a crash or a silent bypass.
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const errors: string[] = [];
let reached = false;

beforeAll(async () => {
  t = await createTestApp({
    session: false,
    config: { logger: { info() {}, warn() {}, error: (m: string) => void errors.push(m) } },
    routes: (app, login) => {
      app.get('/private', login.requireLogin, (_req, res) => {
        reached = true;
        res.send('private');
      });
    },
  });
});
afterAll(() => t.close());

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
    expectClearError(await supertest(t.app).get('/accounts/login/'));
    expect(errors.at(-1)).toContain('express-session');
  });

  it('answers POST login/ the same way', async () => {
    expectClearError(await supertest(t.app).post('/accounts/login/').type('form').send({ username: 'x', password: 'y' }));
  });

  it('does not let requireLogin through', async () => {
    // Threat (item 22): a misconfigured host serves protected pages because the session check fails open.
    // On the host's own routes the ConfigError goes to the host's error handler (here Express's default one).
    const res = await supertest(t.app).get('/private');
    expect(res.status).toBe(500);
    expect(reached).toBe(false);
    expect(res.text).toContain('express-workos-login needs express-session');
  });
});
