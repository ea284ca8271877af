// The README quick start, run as written: on plain http://localhost:3000, with no proxy header and the browser's
// cookie handling (supertest's agent keeps cookies as a browser does, Secure ones only over https).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { freePort } from '../../test/support/loopback.ts';
import { createTestDb, migrationSql, type TestDb } from '../../test/support/db.ts';
import { outbox } from './mail.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let db: TestDb;
beforeAll(async () => {
  process.env.SESSION_SECRET = 'quickstart-test';
  db = await createTestDb();
  const prisma = db.prisma;
  await prisma.user.create({ data: { username: 'grace', email: 'Grace@Example.com', firstName: 'Grace', passwordHash: await hashPassword('hopper-1906') } });
});
afterAll(() => db.close());

it('logs in by email on plain http://localhost:3000, warns about nothing, and sends reset mail through the host mailer', async () => {
  // Vitest sets BASE_URL ('/') in every test process; the quick start's default is what is tested here.
  delete process.env.BASE_URL;
  const { createApp } = await import('./app.ts');
  const warn = vi.spyOn(console, 'warn');
  try {
    const agent = supertest.agent(createApp(db.prisma, new session.MemoryStore())).host('localhost:3000');
    const page = await agent.get('/accounts/login/');
    const setCookie = (page.headers['set-cookie'] as unknown as string[])[0]!;
    expect(setCookie).toMatch(/^sid=/);
    for (const flag of ['; Path=/', '; HttpOnly', '; SameSite=Lax']) expect(setCookie).toContain(flag);
    expect(setCookie).not.toContain('Secure');
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username: 'grace@example.com', password: 'hopper-1906' });
    expect(res.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).text).toBe('Hello Grace');

    const form = await agent.get('/accounts/password_reset/');
    await agent.post('/accounts/password_reset/').type('form').send({ _csrf: csrfFrom(form.text), email: 'grace@example.com' });
    await vi.waitFor(() => expect(outbox).toHaveLength(1));
    expect(outbox[0]!.body).toMatch(/http:\/\/localhost:3000\/accounts\/reset\/[\w-]{43}\//);
    await new Promise((r) => setTimeout(r, 50)); // the background rule check has had its turn
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
  }
});

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill()));


it('server.ts seeds the default rule and serves the login on its port, over plain http', async () => {
  const file = join(tmpdir(), `ewl-quickstart-${randomBytes(6).toString('hex')}.db`);
  const raw = new Database(file);
  for (const sql of migrationSql('sqlite')) raw.exec(sql);
  raw.exec('DELETE FROM "LoginRule"'); // a host's own migrations have no rule: server.ts seeds it
  raw.prepare('INSERT INTO "User" (username, email, passwordHash) VALUES (?, ?, ?)').run('ada', 'ada@example.com', await hashPassword('lovelace-1815', 4));
  raw.close();
  try {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/quickstart/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), BASE_URL: `http://localhost:${port}`, DATABASE_URL: `file:${file}`, SESSION_SECRET: 'quickstart-server' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await vi.waitFor(() => expect(output).toContain(`Log in at http://localhost:${port}/accounts/login/`), { timeout: 15_000 });

    const agent = supertest.agent(`http://localhost:${port}`);
    const page = await agent.get('/accounts/login/');
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username: 'ada', password: 'lovelace-1815' });
    expect(res.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).text).toBe('Hello ada');
    expect(output).not.toContain('express-workos-login:'); // no set-up warning: rules seeded, origin and cookie right
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
});
