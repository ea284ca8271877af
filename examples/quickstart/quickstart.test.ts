// The README quick start, run as written.
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { createTestDb, type TestDb } from '../../test/support/db.ts';
import { createApp } from './app.ts';
import { outbox } from './mail.ts';

let db: TestDb;
beforeAll(async () => {
  process.env.SESSION_SECRET = 'quickstart-test';
  db = await createTestDb();
  await db.prisma.user.create({ data: { username: 'grace', email: 'Grace@Example.com', firstName: 'Grace', passwordHash: await hashPassword('hopper-1906', 4) } });
});
afterAll(() => db.close());

it('logs in by email over https behind a proxy, and sends reset mail through the host mailer', async () => {
  const app = createApp(db.prisma, new session.MemoryStore());
  // Secure cookies: the agent would not send them back over plain http, so carry the cookie by hand.
  let cookie = '';
  const send = (req: supertest.Test) => req.set('X-Forwarded-Proto', 'https').set('Cookie', cookie);
  const keep = (res: supertest.Response) => {
    const set = res.headers['set-cookie'] as unknown as string[] | undefined;
    if (set?.[0]) cookie = set[0].split(';')[0]!;
    return res;
  };
  const page = keep(await send(supertest(app).get('/accounts/login/')));
  const res = keep(await send(supertest(app).post('/accounts/login/')).type('form').send({ _csrf: csrfFrom(page.text), username: 'grace@example.com', password: 'hopper-1906' }));
  expect(res.status).toBe(303);
  const setCookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
  expect(setCookie).toMatch(/^__Host-sid=/);
  for (const flag of ['; Path=/', '; HttpOnly', '; Secure', '; SameSite=Lax']) expect(setCookie).toContain(flag);
  expect((await send(supertest(app).get('/accounts/profile/'))).text).toBe('Hello Grace');

  const form = keep(await send(supertest(app).get('/accounts/password_reset/')));
  await send(supertest(app).post('/accounts/password_reset/')).type('form').send({ _csrf: csrfFrom(form.text), email: 'grace@example.com' });
  await new Promise((r) => setImmediate(r));
  expect(outbox).toHaveLength(1);
  expect(outbox[0]!.body).toMatch(/https:\/\/app\.example\.com\/accounts\/reset\/[\w-]{43}\//);
});
