// Session ids: a new one at login, the old one dead on the server after logout; GET logout/ changes nothing.
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, csrfFrom, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'judy', password: PASSWORD });
});
afterAll(() => t.close());

/** The `connect.sid=...` pair from a response's Set-Cookie, if any. */
function sidCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return cookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('connect.sid='));
}

/** The session id inside a signed `connect.sid=s%3A<id>.<signature>` cookie. */
function sessionId(cookie: string): string {
  const m = /^connect\.sid=s%3A([^.]+)\./.exec(cookie);
  if (!m) throw new Error(`not a signed session cookie: ${cookie}`);
  return m[1]!;
}

function inStore(id: string): Promise<boolean> {
  return new Promise((resolve, reject) => t.store.get(id, (err, sess) => (err ? reject(err) : resolve(!!sess))));
}

/** Logs in with explicit cookies (no agent) so every cookie value is visible. */
async function loginByHand() {
  const page = await supertest(t.app).get('/accounts/login/');
  const before = sidCookie(page)!;
  expect(before).toBeDefined();
  const res = await supertest(t.app)
    .post('/accounts/login/')
    .set('Cookie', before)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username: 'judy', password: PASSWORD });
  expect(res.status).toBe(303);
  const after = sidCookie(res)!;
  expect(after).toBeDefined();
  return { before, after };
}

const privateWith = (cookie: string) => supertest(t.app).get('/private').set('Cookie', cookie);

describe('session rotation', () => {
  it('gives the session a new id at login and forgets the old one', async () => {
    // Threat (item 21): session fixation: an id planted before login becomes the victim's logged-in session.
    const { before, after } = await loginByHand();
    expect(after).not.toBe(before);
    expect(sessionId(after)).not.toBe(sessionId(before));
    expect(await inStore(sessionId(before))).toBe(false);
    expect(await inStore(sessionId(after))).toBe(true);
    const fixed = await privateWith(before);
    expect(fixed.status).toBe(303);
    expect(fixed.headers.location).toBe('/accounts/login/?next=%2Fprivate');
    const res = await privateWith(after);
    expect(res.status).toBe(200);
    expect(res.text).toBe('private for judy');
  });

  it('destroys the server-side session on POST logout/, so replaying the old cookie is anonymous', async () => {
    // Threat (item 21): a stolen cookie keeps working after the user logged out.
    const { after: cookie } = await loginByHand();
    const id = sessionId(cookie);
    const page = await supertest(t.app).get('/accounts/logout/').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Log out of <strong>judy</strong>?');
    const res = await supertest(t.app).post('/accounts/logout/').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/login/');
    expect(await inStore(id)).toBe(false);
    const replay = await privateWith(cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/accounts/login/?next=%2Fprivate');
    const fresh = sidCookie(res);
    expect(fresh).toBeDefined();
    expect(sessionId(fresh!)).not.toBe(id);
    const after = await supertest(t.app).get('/accounts/login/').set('Cookie', fresh!);
    expect(after.text).toContain('You have been logged out.');
    expect(after.text).not.toContain('You are logged in as');
    expect(t.events.of('logout').at(-1)?.user?.username).toBe('judy');
  });

  it('does not log out on GET logout/', async () => {
    // Threat (item 28): an <img src="/accounts/logout/"> on another site logs the user out.
    const agent = t.agent();
    const token = await csrf(agent);
    expect((await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'judy', password: PASSWORD })).status).toBe(303);
    const before = t.events.of('logout').length;
    const res = await agent.get('/accounts/logout/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Log out of <strong>judy</strong>?');
    expect(res.text).toMatch(/<form method="post" action="\/accounts\/logout\/">/);
    const still = await agent.get('/private');
    expect(still.status).toBe(200);
    expect(still.text).toBe('private for judy');
    expect(t.events.of('logout').length).toBe(before);
  });

  it('shows anonymous visitors of logout/ that they are not logged in', async () => {
    const res = await t.agent().get('/accounts/logout/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You are not logged in.');
  });
});
