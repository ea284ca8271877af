// The README's promise, end to end on the example app: log in with a password, fail, reset the password via
// the delivered link, change it, log out. Runs the example's own code on a fresh database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/support/db.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { createExampleApp } from './app.ts';
import { DEMO_PASSWORD, seedDemo } from './seed.ts';
import { SqliteSessionStore } from './session-store.ts';

let db: TestDb;
let dir: string;
let store: SqliteSessionStore;
const mails: { kind: string; to: string; link: string }[] = [];
let app: ReturnType<typeof createExampleApp>['app'];

beforeAll(async () => {
  db = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'ewl-example-'));
  store = new SqliteSessionStore(join(dir, 'sessions.db'));
  const created = createExampleApp({
    prisma: db.prisma,
    baseUrl: 'http://localhost:3000',
    sessionStore: store,
    sessionSecret: 'test',
    bcryptCost: 4,
    deliver: (kind, to, link) => mails.push({ kind, to, link }),
  });
  app = created.app;
  await seedDemo(db.prisma, created.login.rules);
  await seedDemo(db.prisma, created.login.rules); // idempotent
});

afterAll(async () => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  await db.close();
});

async function post(agent: ReturnType<typeof supertest.agent>, page: string, form: Record<string, string>) {
  const token = csrfFrom((await agent.get(page)).text);
  return agent.post(page).type('form').send({ _csrf: token, ...form });
}

describe('example app', () => {
  it('seeds the demo rules once', async () => {
    const rules = await db.prisma.loginRule.findMany({ orderBy: { priority: 'asc' } });
    expect(rules.map((r) => r.method)).toEqual(['mfa', 'magic', 'sso', 'sso', 'GoogleOAuth', 'MicrosoftOAuth', 'password']);
  });

  it('password login, failure, reset by link, change, logout', async () => {
    const agent = supertest.agent(app);
    const failed = await post(agent, '/accounts/login/', { username: 'pat', password: 'wrong' });
    expect(failed.status).toBe(401);
    expect(failed.text).toContain('Please enter a correct username and password');

    const ok = await post(agent, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD });
    expect(ok.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).text).toContain('pat@acme.test');
    const logout = await agent.post('/accounts/logout/').type('form').send({ _csrf: csrfFrom((await agent.get('/accounts/profile/')).text) });
    expect(logout.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).status).toBe(303);

    const reset = await post(agent, '/accounts/password_reset/', { email: 'pat@acme.test' });
    expect(reset.headers.location).toBe('/accounts/password_reset/done/');
    const mail = mails.find((m) => m.kind === 'password-reset' && m.to === 'pat@acme.test');
    expect(mail?.link).toMatch(/^http:\/\/localhost:3000\/accounts\/reset\/[\w-]{43}\/$/);
    const path = new URL(mail!.link).pathname;
    const done = await post(agent, path, { new_password1: 'a brand new secret', new_password2: 'a brand new secret' });
    expect(done.headers.location).toBe('/accounts/reset/done/');

    expect((await post(agent, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD })).status).toBe(401);
    expect((await post(agent, '/accounts/login/', { username: 'pat', password: 'a brand new secret' })).status).toBe(303);

    const changed = await post(agent, '/accounts/password_change/', {
      old_password: 'a brand new secret',
      new_password1: 'changed again 42',
      new_password2: 'changed again 42',
    });
    expect(changed.headers.location).toBe('/accounts/password_change/done/');
    expect((await agent.get('/accounts/profile/')).status).toBe(200);
  });
});
