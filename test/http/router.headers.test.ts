// Security headers on every auth page: never framed, never cached, never sniffed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type Agent, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'rupert', password: PASSWORD });
});
afterAll(() => t.close());

type Res = { status: number; headers: Record<string, string> };

function expectHardened(res: Res) {
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('same-origin');
}

const pages: [string, (agent: Agent) => Promise<Res>, number][] = [
  ['GET login/', (a) => a.get('/accounts/login/'), 200],
  ['GET login/?start=true', (a) => a.get('/accounts/login/?username=rupert&start=true'), 200],
  ['POST login/ step 2', async (a) => {
      const token = await csrf(a);
      return a.post('/accounts/login/').type('form').send({ _csrf: token, username: 'rupert' });
    }, 200],
  ['POST login/ wrong password', async (a) => {
      const token = await csrf(a);
      return a.post('/accounts/login/').type('form').send({ _csrf: token, username: 'rupert', password: 'nope' });
    }, 401],
  ['POST login/ without CSRF', (a) => a.post('/accounts/login/').type('form').send({ username: 'rupert', password: PASSWORD }), 403],
  ['GET logout/', (a) => a.get('/accounts/logout/'), 200],
  ['GET password_reset/', (a) => a.get('/accounts/password_reset/'), 200],
];

describe('security headers', () => {
  it.each(pages)('are sent on %s', async (_label, request, status) => {
    // Threat (item 51): clickjacking of the login form, or a shared cache keeping an auth page.
    const res = await request(t.agent());
    expect(res.status).toBe(status);
    expectHardened(res);
  });

  it('are sent on the redirect after login and on the logged-in login page', async () => {
    // Threat (item 51): a cached logged-in page shows one user's name to the next.
    const agent = t.agent();
    const res = await passwordLogin(agent, 'rupert', PASSWORD);
    expect(res.status).toBe(303);
    expectHardened(res);
    const page = await agent.get('/accounts/login/');
    expect(page.text).toContain('You are logged in as <strong>rupert</strong>.');
    expectHardened(page);
  });

  it('pages carry no ETag (never stored, so never revalidated), and HEAD gets the headers without the body', async () => {
    const get = await t.agent().get('/accounts/login/').set('If-None-Match', '*');
    expect(get.status).toBe(200);
    expect(get.headers.etag).toBeUndefined();
    expect(get.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(get.text));
    const head = await t.agent().head('/accounts/login/');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(500);
    expect(head.text ?? '').toBe('');
    expectHardened(head);
  });

  it('let the stylesheet be cached', async () => {
    const res = await t.agent().get('/accounts/static/workos-login.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
