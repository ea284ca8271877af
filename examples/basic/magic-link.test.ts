// The example's "magic" user (magic@example.com) logs in by link, as at `npm start`: with the WorkOS emulator the
// email lands in the emulator's outbox; without WorkOS the library makes the link and the demo "delivers" it.
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
import { seedDemo } from './seed.ts';
import { SqliteSessionStore } from './session-store.ts';

const directory = fileURLToPath(new URL('./emulator-directory.json', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ewl-example-magic-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function example(workos?: WorkOSEmulator) {
  const db = await createTestDb();
  const store = new SqliteSessionStore(join(dir, `sessions-${workos ? 'workos' : 'local'}.db`));
  const mails: { kind: string; to: string; link: string }[] = [];
  const { app, login } = createExampleApp({
    prisma: db.prisma,
    baseUrl: 'http://localhost:3000',
    sessionStore: store,
    sessionSecret: 'test',
    bcryptCost: 4,
    workos: workos ? { apiKey: workos.apiKey, clientId: workos.clientId, ...workos.sdkOptions } : undefined,
    deliver: (kind, to, link) => mails.push({ kind, to, link }),
  });
  await seedDemo(db.prisma, login.rules);
  return { app, login, mails, db, store };
}

async function logInByLink(app: Parameters<typeof supertest.agent>[0], landing: () => Promise<string>) {
  const agent = supertest.agent(app);
  const start = await agent.get('/accounts/login/');
  const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(start.text), username: 'magic' });
  expect(step2.headers.location).toBe('/accounts/complete/');
  expect((await agent.get('/accounts/complete/')).text).toContain('Check your email');
  const path = await landing();
  const page = await agent.get(path);
  expect(page.text).toContain('Log in as <strong>magic</strong>?');
  const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
  const done = await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
  expect(done.headers.location).toBe('/accounts/profile/');
  return (await agent.get('/accounts/profile/')).text;
}

describe('example app: magic link', () => {
  let db: TestDb | undefined;
  let store: SqliteSessionStore | undefined;
  afterAll(async () => {
    store?.close();
    await db?.close();
  });

  it('with the emulator, the email is in the outbox and its link logs in', async () => {
    const emulator = await createWorkOSEmulator({ directory });
    const ex = await example(emulator);
    try {
      expect(ex.login.config.magicLink.provider).toBe('workos');
      const profile = await logInByLink(ex.app, async () => {
        const mail = emulator.outbox.latest('magic@example.com');
        expect(mail?.kind).toBe('email');
        const hop = await fetch(mail!.link!, { redirect: 'manual' });
        const location = new URL(hop.headers.get('location')!);
        expect(location.origin + location.pathname).toBe('http://localhost:3000/accounts/callback/magic/');
        return location.pathname + location.search;
      });
      expect(profile).toContain('magic@example.com');
      // WorkOS sent it; the demo printed nothing.
      expect(ex.mails.filter((m) => m.kind === 'magic-link')).toEqual([]);
    } finally {
      ex.store.close();
      await ex.db.close();
      await emulator.close();
    }
  });

  it('without WorkOS, the local provider hands the link to the demo mailer', async () => {
    const ex = await example();
    db = ex.db;
    store = ex.store;
    expect(ex.login.config.magicLink.provider).toBe('local');
    const profile = await logInByLink(ex.app, async () => {
      const mail = ex.mails.find((m) => m.kind === 'magic-link');
      expect(mail?.to).toBe('magic@example.com');
      expect(mail!.link).toMatch(/^http:\/\/localhost:3000\/accounts\/callback\/magic\/\?token=[\w-]{43}$/);
      return new URL(mail!.link).pathname + new URL(mail!.link).search;
    });
    expect(profile).toContain('magic@example.com');
  });
});
