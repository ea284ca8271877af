// The empty login form is rendered once per context and reused with each session's CSRF token
// (src/http/render.ts). Threats: one visitor's token in another's page (a CSRF token leak, or forms that always
// fail), a stale page (another `next`, a lost message), or a reused page that differs from a fresh render.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrfFrom, passwordLogin, type TestApp } from '../support/app.ts';

let t: TestApp;
/** The same app rendering every page afresh (NODE_ENV=development re-reads templates and keeps no page). */
let fresh: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'rupert', password: PASSWORD });
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'development';
  try {
    fresh = await createTestApp({ db: t.db });
  } finally {
    process.env.NODE_ENV = env;
  }
});
afterAll(async () => {
  await fresh?.close();
  await t?.close();
});

const withoutToken = (html: string) => html.replace(csrfFrom(html), 'TOKEN');

describe('the reused login form', () => {
  it("carries each session's own token: each browser's form posts with it, and not with the other's", async () => {
    const [a, b] = [t.agent(), t.agent()];
    const [pageA, pageB] = [await a.get('/accounts/login/'), await b.get('/accounts/login/')];
    const [tokenA, tokenB] = [csrfFrom(pageA.text), csrfFrom(pageB.text)];
    expect(tokenA).not.toBe(tokenB);
    expect(withoutToken(pageA.text)).toBe(withoutToken(pageB.text));
    expect((await a.post('/accounts/login/').type('form').send({ _csrf: tokenB, username: 'rupert' })).status).toBe(403);
    expect((await a.post('/accounts/login/').type('form').send({ _csrf: tokenA, username: 'rupert' })).status).toBe(200);
    expect((await b.post('/accounts/login/').type('form').send({ _csrf: tokenB, username: 'rupert' })).status).toBe(200);
  });

  it('is the page a fresh render gives, for each next (escaped), with and without a session', async () => {
    for (const path of ['/accounts/login/', '/accounts/login/?next=/reports/', '/accounts/login/?next=%2Fp%3Fq%3D%3Cb%3E%22x%26y']) {
      const [kept, again, rendered] = [await t.agent().get(path), await t.agent().get(path), await fresh.agent().get(path)];
      expect(kept.status).toBe(200);
      expect(withoutToken(again.text)).toBe(withoutToken(kept.text));
      expect(withoutToken(kept.text)).toBe(withoutToken(rendered.text));
    }
    const escaped = await t.agent().get('/accounts/login/?next=%2Fp%3Fq%3D%3Cb%3E%22x%26y');
    expect(escaped.text).toContain('value="/p?q=&lt;b&gt;&quot;x&amp;y"');
    expect((await t.agent().get('/accounts/login/?next=/reports/')).text).toContain('value="/reports/"');
  });

  it('is not used for a page with a message: the logout notice shows once, then the plain form', async () => {
    const agent = t.agent();
    expect((await passwordLogin(agent, 'rupert', PASSWORD)).status).toBe(303);
    const token = csrfFrom((await agent.get('/accounts/logout/')).text);
    expect((await agent.post('/accounts/logout/').type('form').send({ _csrf: token })).status).toBe(303);
    const withNotice = await agent.get('/accounts/login/');
    expect(withNotice.text).toContain('You have been logged out.');
    const plain = await agent.get('/accounts/login/');
    expect(plain.text).not.toContain('You have been logged out.');
    expect(withoutToken(plain.text)).toBe(withoutToken((await fresh.agent().get('/accounts/login/')).text));
  });

  it('is not used once a name is typed, or for the logged-in page', async () => {
    const prefilled = await t.agent().get('/accounts/login/?username=%3Cem%3Enew%3C%2Fem%3E');
    expect(prefilled.text).toContain('value="&lt;em&gt;new&lt;/em&gt;"');
    const agent = t.agent();
    await passwordLogin(agent, 'rupert', PASSWORD);
    expect((await agent.get('/accounts/login/')).text).toContain('You are logged in as <strong>rupert</strong>.');
  });
});
