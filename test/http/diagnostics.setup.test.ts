// Set-up mistakes that used to fail silently are logged once, with their cause and fix: a Secure cookie on plain
// http, an origin other than baseUrl, a form posted without the session cookie (whose page says so), and no rules.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LOGIN_MESSAGES, recommendedSessionOptions } from '../../src/index.ts';
import { BASE_URL, PASSWORD, createTestApp, createUser, csrf, csrfFrom, passwordLogin, type TestApp } from '../support/app.ts';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));
const track = async (t: Promise<TestApp>) => {
  const app = await t;
  apps.push(app);
  return app;
};
const warnings = (t: TestApp, what: string) => t.logs.filter((l) => l.startsWith('express-workos-login: ') && l.includes(what));

describe('an https baseUrl opened over plain http (the old quick start on localhost)', () => {
  it('logs the Secure-cookie and origin causes once each, and the refused form names the missing cookie', async () => {
    const https = 'https://app.example.com';
    const t = await track(createTestApp({ config: { baseUrl: https }, session: recommendedSessionOptions({ secret: 's', baseUrl: https }) as never }));
    await createUser(t.prisma, { username: 'lin' });
    const agent = t.agent();
    const page = await agent.get('/accounts/login/');
    expect(page.status).toBe(200);
    // express-session never sets a Secure cookie on an http request: the browser has nothing to send back.
    expect(page.headers['set-cookie']).toBeUndefined();
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username: 'lin', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain(LOGIN_MESSAGES.csrf_no_cookie);
    await agent.get('/accounts/login/');

    const secure = warnings(t, 'session cookie is Secure, so the browser never sends it back');
    expect(secure).toHaveLength(1);
    expect(secure[0]).toMatch(/a request came over plain http \(http:\/\/127\.0\.0\.1:\d+\)/);
    expect(secure[0]).toContain('Set baseUrl');
    const origin = warnings(t, 'but baseUrl is https://app.example.com');
    expect(origin).toHaveLength(1);
    expect(origin[0]).toMatch(/a request came from http:\/\/127\.0\.0\.1:\d+ but baseUrl/);
    const posted = warnings(t, 'a form was posted without a session cookie (the session cookie is Secure and this site was opened over plain http)');
    expect(posted).toHaveLength(1);
  });

  it('a form posted with a cookie but an expired session keeps the usual message', async () => {
    const t = await track(createTestApp());
    const agent = t.agent();
    const token = await csrf(agent);
    t.store.clear();
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'x', password: 'y' });
    expect(res.status).toBe(403);
    expect(res.text).toContain(LOGIN_MESSAGES.csrf);
    expect(warnings(t, 'without a session cookie')).toEqual([]);
  });

  it('the same app on its own origin logs nothing', async () => {
    const t = await track(createTestApp({ rules: [] }));
    await createUser(t.prisma, { username: 'noa' });
    const agent = t.agent().host(new URL(BASE_URL).host);
    expect((await passwordLogin(agent, 'noa', PASSWORD)).status).toBe(303);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.logs.filter((l) => l.startsWith('express-workos-login: '))).toEqual([]);
  });
});

describe('no login rules', () => {
  it('warns once, in the background of the first request, pointing at seedDefaultRule', async () => {
    const t = await track(createTestApp());
    await t.prisma.loginRule.deleteMany();
    const agent = t.agent();
    expect((await agent.get('/accounts/login/')).status).toBe(200);
    await vi.waitFor(() => expect(warnings(t, 'there are no usable login rules')).toHaveLength(1));
    expect(warnings(t, 'no usable login rules')[0]).toContain('await seedDefaultRule(prisma)');
    await agent.get('/accounts/login/');
    await new Promise((r) => setTimeout(r, 50));
    expect(warnings(t, 'no usable login rules')).toHaveLength(1);
  });

  it('a login refused for no_rule logs one warning line per refusal; the person sees a wrong password', async () => {
    const t = await track(createTestApp());
    await t.prisma.loginRule.deleteMany();
    const user = await createUser(t.prisma, { username: 'ria' });
    const res = await passwordLogin(t.agent(), 'ria', PASSWORD);
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect(t.events.of('loginFailed').map((e) => e.reason)).toEqual(['no_rule']);
    const lines = warnings(t, 'login refused (no_rule)');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no login rule applies to user ${user.id}`);
    expect(lines[0]).toContain('seedDefaultRule');
    // A wrong password for the same user is not a missing rule: no line.
    await passwordLogin(t.agent(), 'ria', 'wrong password!');
    expect(warnings(t, 'login refused (no_rule)')).toHaveLength(1);
  });
});

it('hosts without express-session still get the missing-session error, not a diagnostics crash', async () => {
  const t = await track(createTestApp({ session: false }));
  const res = await t.agent().get('/accounts/login/');
  expect(res.status).toBe(500);
  expect(res.text).toContain('needs express-session');
});
