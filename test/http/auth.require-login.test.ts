// `requireLogin`: anonymous HTML requests go to the login page with `next`, API requests get 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrfFrom, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'kim', password: PASSWORD });
});
afterAll(() => t.close());

describe('requireLogin', () => {
  it('redirects an anonymous HTML request to the login page with next', async () => {
    // Threat (item 22): a protected page is served to an anonymous visitor.
    const res = await t.agent().get('/private').set('Accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/login/?next=%2Fprivate');
    expect(res.text).not.toContain('private for');
  });

  it('answers 401 JSON to an anonymous API request', async () => {
    // Threat (item 22): an API client is handed an HTML redirect it follows blindly, or the data itself.
    const res = await t.agent().get('/private').set('Accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'login_required' });
  });

  it('keeps the query string in next and returns there after login', async () => {
    const agent = t.agent();
    const first = await agent.get('/private?tab=2').set('Accept', 'text/html');
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/accounts/login/?next=%2Fprivate%3Ftab%3D2');
    const page = await agent.get(first.headers.location!);
    expect(page.text).toContain('<input type="hidden" name="next" value="/private?tab=2">');
    const login = await agent
      .post('/accounts/login/')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'kim', password: PASSWORD, next: '/private?tab=2' });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/private?tab=2');
    const res = await agent.get('/private?tab=2');
    expect(res.status).toBe(200);
    expect(res.text).toBe('private for kim');
  });
});
