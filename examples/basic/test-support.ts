// The example app as `npm start` builds it, on a fresh test database, a persistent session store in a temp
// folder and (optionally) the WorkOS emulator with the demo directory. Shared by the example's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { createWorkOSEmulator, type WorkOSEmulator } from '../../src/emulator/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { createTestDb, type TestDb } from '../../test/support/db.ts';
import { createExampleApp, emulatorNotice } from './app.ts';
import { seedDemo } from './seed.ts';
import { SqliteSessionStore } from './session-store.ts';

export type Agent = ReturnType<typeof supertest.agent>;

export interface Demo extends ReturnType<typeof createExampleApp> {
  db: TestDb;
  /** The emulator, when started with `{ emulator: true }`. */
  emulator: WorkOSEmulator | null;
  /** What the demo "delivered" (reset links; magic links when the app must send them). */
  mails: { kind: string; to: string; link: string }[];
  agent(): Agent;
  close(): Promise<void>;
}

export const DEMO_DIRECTORY = fileURLToPath(new URL('../../emulator/demo-directory.json', import.meta.url));

export const DEMO_WEBHOOK_SECRET = 'whsec_demo_test';

export async function startDemo(options: { emulator?: boolean } = {}): Promise<Demo> {
  const db = await createTestDb();
  const dir = mkdtempSync(join(tmpdir(), 'ewl-example-'));
  const store = new SqliteSessionStore(join(dir, 'sessions.db'));
  const emulator = options.emulator ? await createWorkOSEmulator({ directory: DEMO_DIRECTORY }) : null;
  const mails: Demo['mails'] = [];
  const created = createExampleApp({
    prisma: db.prisma,
    baseUrl: 'http://localhost:3000',
    sessionStore: store,
    sessionSecret: 'test',
    bcryptCost: 4,
    workos: emulator ? { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions } : undefined,
    notice: emulator ? emulatorNotice(emulator.url) : undefined,
    deliver: (kind, to, link) => mails.push({ kind, to, link }),
    webhookSecret: emulator ? DEMO_WEBHOOK_SECRET : undefined,
  });
  await seedDemo(db.prisma, created.login);
  return {
    ...created,
    db,
    emulator,
    mails,
    agent: () => supertest.agent(created.app),
    async close() {
      await emulator?.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
      await db.close();
    },
  };
}

/** GETs `page` for its CSRF token, then POSTs the form to it. */
export async function post(agent: Agent, page: string, form: Record<string, string>) {
  const token = csrfFrom((await agent.get(page)).text);
  return agent.post(page).type('form').send({ _csrf: token, ...form });
}
