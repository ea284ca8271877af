// `recommendedSessionOptions`: the session cookie a host gets when it follows the README.
import type { Express } from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendedSessionOptions } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, csrfFrom, type TestApp } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
const apps: TestApp[] = [];

beforeAll(async () => {
  db = await createTestDb();
  await createUser(db.prisma, { username: 'peggy', password: PASSWORD });
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await db.close();
});

/** A host that follows the README: trust proxy, the recommended session options, the router at /accounts. */
async function hostApp(baseUrl: string): Promise<Express> {
  const t = await createTestApp({
    db,
    config: { baseUrl },
    session: recommendedSessionOptions({ secret: ['new-secret-0123456789', 'old-secret-0123456789'], baseUrl }),
    configure: (app) => app.set('trust proxy', 1),
  });
  apps.push(t);
  return t.app;
}

/** Logs in behind a TLS-terminating proxy; cookies are carried by hand (an http client would drop Secure ones). */
async function loginThroughProxy(app: Express, cookieName: string) {
  const page = await supertest(app).get('/accounts/login/').set('X-Forwarded-Proto', 'https');
  expect(page.status).toBe(200);
  const first = (page.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith(`${cookieName}=`));
  expect(first).toBeDefined();
  const res = await supertest(app)
    .post('/accounts/login/')
    .set('X-Forwarded-Proto', 'https')
    .set('Cookie', first!.split(';')[0]!)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username: 'peggy', password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith(`${cookieName}=`));
  expect(cookie).toBeDefined();
  return cookie!;
}

const attributes = (cookie: string) =>
  cookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());

describe('recommendedSessionOptions', () => {
  it('on https: __Host- name, HttpOnly, SameSite=Lax, Secure, Path=/ and no Domain', async () => {
    // Threat (item 23): the session cookie is readable by scripts, sent cross-site, sent over http or scoped to a parent domain.
    const app = await hostApp('https://app.test');
    const cookie = await loginThroughProxy(app, '__Host-sid');
    const attrs = attributes(cookie);
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('secure');
    expect(attrs).toContain('path=/');
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
    expect(attrs.some((a) => a.startsWith('expires='))).toBe(true);
    const res = await supertest(app).get('/private').set('X-Forwarded-Proto', 'https').set('Cookie', cookie.split(';')[0]!);
    expect(res.status).toBe(200);
    expect(res.text).toBe('private for peggy');
  });

  it('on http: plain name and no Secure flag, still HttpOnly and SameSite=Lax', async () => {
    // Threat (item 23): a Secure cookie on a plain-http dev server silently breaks login (so it must be off there).
    const app = await hostApp('http://localhost:3000');
    const page = await supertest(app).get('/accounts/login/');
    const first = (page.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('sid='))!;
    const res = await supertest(app)
      .post('/accounts/login/')
      .set('Cookie', first.split(';')[0]!)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'peggy', password: PASSWORD });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('sid='))!;
    const attrs = attributes(cookie);
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).not.toContain('secure');
    expect(cookie.startsWith('__Host-')).toBe(false);
  });

  it('sets no cookie for a visitor who has stored nothing', async () => {
    const app = await hostApp('https://app.test');
    const res = await supertest(app).get('/private').set('X-Forwarded-Proto', 'https').set('Accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
