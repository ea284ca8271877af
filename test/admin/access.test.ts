// Who gets into the admin pages: only a fully logged-in user whom `admin.allow` accepts (default: staff or
// superusers), through the normal rule-aware login; destructive actions need a password within the last 10 minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, csrf, csrfFrom, PASSWORD, passwordLogin, type Agent, type TestApp, type WorkosTestApp } from '../support/app.ts';
import { enrollTotpUser, MFA_RULE, mfaUser, passwordStep, totpCode } from '../support/mfa.ts';

const ADMIN = '/accounts/admin/';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { admin: { enabled: true } } });
  await createUser(t.prisma, { username: 'plain' });
  await staff(t, 'stella');
  await createUser(t.prisma, { username: 'root', isSuperuser: true });
});
afterAll(() => t.close());

async function staff(app: TestApp, username: string, groups?: string[]) {
  const user = await createUser(app.prisma, { username, groups });
  await app.prisma.user.update({ where: { id: user.id }, data: { isStaff: true } });
  return user;
}

async function loggedIn(app: TestApp, username: string): Promise<Agent> {
  const agent = app.agent();
  const res = await passwordLogin(agent, username, PASSWORD);
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/accounts/profile/');
  return agent;
}

describe('who may open the admin', () => {
  it('anonymous: sent to the rule-aware login page with next (no second login form); API clients get 401', async () => {
    const agent = t.agent();
    const page = await agent.get(ADMIN);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fadmin%2F');
    const json = await agent.get(`${ADMIN}rules/new/`).set('Accept', 'application/json');
    expect(json.status).toBe(401);
    expect(json.body).toEqual({ error: 'login_required' });
    const token = await csrf(agent);
    const posted = await agent.post(`${ADMIN}rules/new/`).type('form').send({ _csrf: token, name: 'x' });
    expect(posted.status).toBe(303);
    expect(await t.prisma.loginRule.count({ where: { name: 'x' } })).toBe(0);
  });

  it('a plain user: 403 with a page that says so, and their POSTs change nothing', async () => {
    const agent = await loggedIn(t, 'plain');
    const page = await agent.get(ADMIN);
    expect(page.status).toBe(403);
    expect(page.text).toContain('No access to the login admin');
    expect(page.text).toContain('<strong>plain</strong>');
    const token = csrfFrom((await agent.get('/accounts/logout/')).text);
    const posted = await agent.post(`${ADMIN}rules/new/`).type('form').send({ _csrf: token, name: 'by plain', method: 'password', priority: '5', emailRegex: '.*' });
    expect(posted.status).toBe(403);
    expect(await t.prisma.loginRule.count({ where: { name: 'by plain' } })).toBe(0);
    expect((await agent.get(`${ADMIN}users/`).set('Accept', 'application/json')).body).toEqual({ error: 'admin_forbidden' });
  });

  it('a staff member half-way through an MFA login (password done, code not yet) is not logged in: sent to the login page', async () => {
    await staff(t, 'halfway', ['MFA Required']);
    const agent = t.agent();
    expect(await passwordStep(agent, 'halfway')).toBe('/accounts/enroll/');
    const page = await agent.get(ADMIN);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fadmin%2F');
    // The half-login is still there: the MFA page carries on.
    expect((await agent.get('/accounts/enroll/')).status).toBe(200);
  });

  it('staff and superusers, fully logged in, see the rules', async () => {
    for (const name of ['stella', 'root']) {
      const agent = await loggedIn(t, name);
      const page = await agent.get(ADMIN);
      expect(page.status, name).toBe(200);
      expect(page.text).toContain('<h1>Login rules</h1>');
      expect(page.text).toContain('Username/password login');
      expect(page.text).toContain('MFA Required group');
    }
  });

  it('a staff member whose rule is mfa gets in only after the code (the normal login, all of it)', async () => {
    await mfaUser(t, 'mfa-admin');
    await t.prisma.user.update({ where: { username: 'mfa-admin' }, data: { isStaff: true } });
    const agent = t.agent();
    expect(await passwordStep(agent, 'mfa-admin', ADMIN)).toBe('/accounts/enroll/');
    expect((await agent.get(ADMIN)).status).toBe(303);
  });
});

describe('a custom allow', () => {
  let app: TestApp;
  const seen: string[] = [];
  beforeAll(async () => {
    app = await createTestApp({
      config: {
        admin: {
          enabled: true,
          allow: async (user) => {
            seen.push(user.username);
            if (user.username === 'broken') throw new Error('directory down');
            return user.username === 'ops';
          },
        },
      },
    });
    await createUser(app.prisma, { username: 'ops' });
    await staff(app, 'staffer');
    await createUser(app.prisma, { username: 'broken' });
  });
  afterAll(() => app.close());

  it('lets in whom it accepts (not staff by default), refuses the others, and refuses when it throws', async () => {
    expect((await (await loggedIn(app, 'ops')).get(ADMIN)).status).toBe(200);
    expect((await (await loggedIn(app, 'staffer')).get(ADMIN)).status).toBe(403);
    expect((await (await loggedIn(app, 'broken')).get(ADMIN)).status).toBe(403);
    expect(seen).toEqual(['ops', 'staffer', 'broken']);
    expect(app.logs.some((l) => l.includes('admin.allow(user) threw; access refused'))).toBe(true);
  });
});

describe('the admin is off unless enabled', () => {
  it('without admin.enabled, /accounts/admin/ is not the library\'s (it falls through to the host)', async () => {
    const app = await createTestApp();
    try {
      await staff(app, 'sam');
      const res = await (await loggedIn(app, 'sam')).get(ADMIN);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('Login rules');
    } finally {
      await app.close();
    }
  });
});

describe('re-authentication for destructive actions', () => {
  it('older than 10 minutes: deleting a rule first asks for the password, then works; a wrong password changes nothing', async () => {
    const rule = await t.login.rules.create({ name: 'to delete', method: 'password', priority: 600, emailRegex: '@gone\\.test$' });
    const agent = await loggedIn(t, 'stella');
    t.clock.advance(11 * 60_000);
    const confirm = await agent.get(`${ADMIN}rules/${rule.id}/delete/`);
    expect(confirm.status).toBe(200);
    const refused = await agent.post(`${ADMIN}rules/${rule.id}/delete/`).set('Referer', `http://app.test${ADMIN}rules/${rule.id}/delete/`).type('form').send({ _csrf: csrfFrom(confirm.text) });
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe(`${ADMIN}reauth/?next=${encodeURIComponent(`${ADMIN}rules/${rule.id}/delete/`)}`);
    expect(await t.prisma.loginRule.count({ where: { id: rule.id } })).toBe(1);

    const reauth = await agent.get(refused.headers.location as string);
    expect(reauth.text).toContain('Please confirm it is you before this change.');
    expect(reauth.text).toContain('<label for="id_password">Your password</label>');
    const wrong = await agent.post(`${ADMIN}reauth/`).type('form').send({ _csrf: csrfFrom(reauth.text), action: 'password', password: 'not it', next: `${ADMIN}rules/${rule.id}/delete/` });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That password is not right.');
    const stillRefused = await agent.post(`${ADMIN}rules/${rule.id}/delete/`).type('form').send({ _csrf: csrfFrom(reauth.text) });
    expect(stillRefused.status).toBe(303);
    expect(stillRefused.headers.location).toMatch(/\/reauth\//);

    const right = await agent.post(`${ADMIN}reauth/`).type('form').send({ _csrf: csrfFrom(reauth.text), action: 'password', password: PASSWORD, next: `${ADMIN}rules/${rule.id}/delete/` });
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe(`${ADMIN}rules/${rule.id}/delete/`);
    const deleted = await agent.post(`${ADMIN}rules/${rule.id}/delete/`).type('form').send({ _csrf: csrfFrom(reauth.text) });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.location).toBe(ADMIN);
    expect(await t.prisma.loginRule.count({ where: { id: rule.id } })).toBe(0);
    const event = t.events.of('adminChange').find((e) => e.action === 'rule.delete' && e.target.id === rule.id)!;
    expect(event.actor).toMatchObject({ type: 'user', username: 'stella' });
    expect(event.before).toMatchObject({ name: 'to delete', emailRegex: '@gone\\.test$' });
    expect(event.after).toBeNull();

    // The proof lasts 10 minutes, then is asked again.
    t.clock.advance(11 * 60_000);
    const user = await t.prisma.user.findUniqueOrThrow({ where: { username: 'plain' } });
    const ended = await agent.post(`${ADMIN}users/${user.id}/end-sessions/`).type('form').send({ _csrf: csrfFrom(reauth.text) });
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toMatch(/^\/accounts\/admin\/reauth\/\?next=/);
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(user.sessionVersion);
  });

  it('within 10 minutes of the login, a destructive action needs no extra step', async () => {
    const rule = await t.login.rules.create({ name: 'fresh delete', method: 'password', priority: 601, emailRegex: '@fresh\\.test$' });
    const agent = await loggedIn(t, 'root');
    t.clock.advance(9 * 60_000);
    const confirm = await agent.get(`${ADMIN}rules/${rule.id}/delete/`);
    const res = await agent.post(`${ADMIN}rules/${rule.id}/delete/`).type('form').send({ _csrf: csrfFrom(confirm.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(ADMIN);
    expect(await t.prisma.loginRule.count({ where: { id: rule.id } })).toBe(0);
  });

  it('a current TOTP code works instead of the password, once', async () => {
    await mfaUser(t, 'tom');
    await t.prisma.user.update({ where: { username: 'tom' }, data: { isStaff: true } });
    const { agent, secret } = await enrollTotpUser(t, 'tom');
    t.clock.advance(11 * 60_000);
    const target = (await t.prisma.user.findUniqueOrThrow({ where: { username: 'plain' } })).id;
    const page = await agent.get(`${ADMIN}reauth/?next=${encodeURIComponent(`${ADMIN}users/${target}/`)}`);
    expect(page.text).toContain('6-digit code from your authenticator app');
    const token = csrfFrom(page.text);
    const send = (code: string) => agent.post(`${ADMIN}reauth/`).type('form').send({ _csrf: token, action: 'code', code, next: `${ADMIN}users/${target}/` });
    expect((await send('000000')).status).toBe(400);
    const code = totpCode(t, secret);
    const ok = await send(code);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`${ADMIN}users/${target}/`);
    expect((await agent.post(`${ADMIN}users/${target}/end-sessions/`).type('form').send({ _csrf: token })).headers.location).toBe(`${ADMIN}users/${target}/`);
    // The same code again, still within its 30 s step: refused.
    const again = await send(code);
    expect(again.status).toBe(400);
    expect(again.text).toContain('That code is not right, or it was used already.');
  });

  it('the way back after re-authentication stays inside the admin (no open redirect)', async () => {
    const agent = await loggedIn(t, 'root');
    const page = await agent.get(`${ADMIN}reauth/?next=https://evil.test/`);
    expect(page.text).toContain(`name="next" value="${ADMIN}"`);
    const res = await agent.post(`${ADMIN}reauth/`).type('form').send({ _csrf: csrfFrom(page.text), action: 'password', password: PASSWORD, next: '//evil.test/' });
    expect(res.headers.location).toBe(ADMIN);
  });
});

describe('CSRF', () => {
  it('every admin form needs the session token', async () => {
    const agent = await loggedIn(t, 'root');
    const res = await agent.post(`${ADMIN}rules/new/`).type('form').send({ name: 'no token', method: 'password', priority: '7', emailRegex: '.*', action: 'save' });
    expect(res.status).toBe(403);
    expect(await t.prisma.loginRule.count({ where: { name: 'no token' } })).toBe(0);
  });
});
