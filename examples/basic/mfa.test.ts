// The demo's MFA path as a person does it at `npm start`: mfa-user logs in with the password, sets up SMS,
// reads the code on the emulator's outbox page, saves the recovery codes and lands on the profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkOSEmulator, type WorkOSEmulator } from '../../src/emulator/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { createTestDb, type TestDb } from '../../test/support/db.ts';
import { createExampleApp } from './app.ts';
import { DEMO_PASSWORD, seedDemo } from './seed.ts';
import { SqliteSessionStore } from './session-store.ts';

let db: TestDb;
let dir: string;
let store: SqliteSessionStore;
let emulator: WorkOSEmulator;
let app: ReturnType<typeof createExampleApp>['app'];

beforeAll(async () => {
  db = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'ewl-example-mfa-'));
  store = new SqliteSessionStore(join(dir, 'sessions.db'));
  emulator = await createWorkOSEmulator({ directory: fileURLToPath(new URL('./emulator-directory.json', import.meta.url)) });
  const created = createExampleApp({
    prisma: db.prisma,
    baseUrl: 'http://localhost:3000',
    sessionStore: store,
    sessionSecret: 'test',
    bcryptCost: 4,
    workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions },
    notice: `Demo mode: emails and SMS at ${emulator.url}/_emulator/outbox.html`,
    deliver: () => {},
  });
  app = created.app;
  await seedDemo(db.prisma, created.login.rules);
});

afterAll(async () => {
  await emulator.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  await db.close();
});

async function post(agent: ReturnType<typeof supertest.agent>, page: string, form: Record<string, string>) {
  const token = csrfFrom((await agent.get(page)).text);
  return agent.post(page).type('form').send({ _csrf: token, ...form });
}

describe('example app: mfa-user', () => {
  it('enrolls SMS with the code from the emulator outbox page and logs in', async () => {
    const agent = supertest.agent(app);
    const password = await post(agent, '/accounts/login/', { username: 'mfa-user', password: DEMO_PASSWORD });
    expect(password.headers.location).toBe('/accounts/enroll/');
    const choose = await agent.get('/accounts/enroll/');
    expect(choose.text).toContain('_emulator/outbox.html');
    expect((await post(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550006' })).status).toBe(303);

    const outbox = await fetch(`${emulator.url}/_emulator/outbox.html`);
    const html = await outbox.text();
    const code = /Your authentication code is (\d{6})/.exec(html)?.[1];
    expect(code).toMatch(/^\d{6}$/);

    const shown = await post(agent, '/accounts/enroll-sms/', { action: 'verify', code: code! });
    expect(shown.status).toBe(200);
    expect(shown.text.match(/<li><code>[A-Z2-7]{5}-[A-Z2-7]{5}<\/code><\/li>/g)).toHaveLength(10);
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toContain('mfa@acme.test');
  });
});
