// Password change for a logged-in user: old password required, checks with messages, a new session id for
// this session and the end of every other session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, createUser, csrf, isLoggedIn, passwordLogin, sessionIdSet, storeHas, type Agent, type TestApp } from '../support/app.ts';
import { askAtLogin, confirm, landingPath } from '../magic-link/support.ts';

const OLD = 'old password 123';
const NEW = 'a new password 456';
const MIN_LENGTH = 12;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ config: { password: { minLength: MIN_LENGTH } } });
});
afterAll(() => t.close());

let n = 0;
async function loggedInUser() {
  n += 1;
  const user = await createUser(t.prisma, { username: `changer-${n}`, password: OLD });
  const agent = t.agent();
  const login = await passwordLogin(agent, user.username, OLD);
  expect(login.status).toBe(303);
  return { user, agent, sid: sessionIdSet(login)! };
}

async function change(agent: Agent, fields: { old_password: string; new_password1: string; new_password2?: string }) {
  const token = await csrf(agent, '/accounts/password_change/');
  return agent
    .post('/accounts/password_change/')
    .type('form')
    .send({ _csrf: token, new_password2: fields.new_password1, ...fields });
}

async function passwordWorks(username: string, password: string): Promise<boolean> {
  const res = await passwordLogin(t.agent(), username, password);
  expect([303, 401]).toContain(res.status);
  return res.status === 303;
}

describe('password change', () => {
  it('requires a login', async () => {
    // Threat: an anonymous visitor reaches the change form or changes someone's password.
    const agent = t.agent();
    const page = await agent.get('/accounts/password_change/');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fpassword_change%2F');
    const token = await csrf(agent);
    const post = await agent.post('/accounts/password_change/').type('form').send({ _csrf: token, old_password: OLD, new_password1: NEW, new_password2: NEW });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fpassword_change%2F');
    const done = await agent.get('/accounts/password_change/done/');
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fpassword_change%2Fdone%2F');
  });

  it('shows the form to a logged-in user', async () => {
    const { agent } = await loggedInUser();
    const page = await agent.get('/accounts/password_change/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="old_password"');
    expect(page.text).toContain(`At least ${MIN_LENGTH} characters.`);
  });

  it('refuses a wrong old password with 400 and a message', async () => {
    // Threat: a hijacked session (unattended browser) changes the password without knowing it.
    const { user, agent } = await loggedInUser();
    const res = await change(agent, { old_password: 'not the old one', new_password1: NEW });
    expect(res.status).toBe(400);
    expect(res.text).toContain(LOGIN_MESSAGES.password_incorrect);
    expect(await passwordWorks(user.username, OLD)).toBe(true);
    expect(await passwordWorks(user.username, NEW)).toBe(false);
  });

  it('refuses mismatched new passwords', async () => {
    const { user, agent } = await loggedInUser();
    const res = await change(agent, { old_password: OLD, new_password1: NEW, new_password2: `${NEW}?` });
    expect(res.status).toBe(400);
    expect(res.text).toContain(LOGIN_MESSAGES.password_mismatch);
    expect(await passwordWorks(user.username, OLD)).toBe(true);
  });

  it('refuses a password shorter than password.minLength', async () => {
    const { user, agent } = await loggedInUser();
    const short = 'x'.repeat(MIN_LENGTH - 1);
    const res = await change(agent, { old_password: OLD, new_password1: short });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`This password is too short. It must contain at least ${MIN_LENGTH} characters.`);
    expect(await passwordWorks(user.username, OLD)).toBe(true);
    expect(await passwordWorks(user.username, short)).toBe(false);
    // Exactly the minimum is enough.
    const ok = await change(agent, { old_password: OLD, new_password1: 'y'.repeat(MIN_LENGTH) });
    expect(ok.status).toBe(303);
  });

  it('changes the password, keeps this session under a new id and emits passwordChanged', async () => {
    // Threat (item 21): the session id from before the credential change stays valid (fixation).
    const { user, agent, sid } = await loggedInUser();
    expect(await storeHas(t, sid)).toBe(true);
    const before = t.events.of('passwordChanged').length;
    const res = await change(agent, { old_password: OLD, new_password1: NEW });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/password_change/done/');
    const newSid = sessionIdSet(res);
    expect(newSid).toBeDefined();
    expect(newSid).not.toBe(sid);
    expect(await storeHas(t, sid)).toBe(false);
    const done = await agent.get('/accounts/password_change/done/');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your password was changed.');
    expect(await isLoggedIn(agent)).toBe(true);
    const events = t.events.of('passwordChanged').slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ via: 'change', user: { id: user.id, username: user.username } });
    expect(events[0]!.user).not.toHaveProperty('passwordHash');
    expect(await passwordWorks(user.username, OLD)).toBe(false);
    expect(await passwordWorks(user.username, NEW)).toBe(true);
  });

  it('ends the other sessions of the user', async () => {
    // Threat (item 47): an attacker who is logged in as the victim stays in after the victim changes the password.
    const { user, agent } = await loggedInUser();
    const attacker = t.agent();
    expect((await passwordLogin(attacker, user.username, OLD)).status).toBe(303);
    expect(await isLoggedIn(attacker)).toBe(true);
    expect((await change(agent, { old_password: OLD, new_password1: NEW })).status).toBe(303);
    expect(await isLoggedIn(attacker)).toBe(false);
    expect(await isLoggedIn(agent)).toBe(true);
  });
});

describe('users without a password (SSO-only, magic links)', () => {
  it('are told they have none, and cannot change one: GET and POST are refused, nothing is stored', async () => {
    const app = await createTestApp({
      config: { magicLink: { provider: 'local' } },
      rules: [{ name: 'Magic for magic.test', method: 'magic', priority: 10, emailRegex: '@magic\\.test$' }],
      routes: (host, login) => host.get('/me', login.loadUser, (req, res) => res.json({ hasPassword: req.user?.hasPassword ?? null })),
    });
    try {
      const user = await createUser(app.prisma, { username: 'sso-only', email: 'sso-only@magic.test', password: null });
      const agent = app.agent();
      expect((await askAtLogin(agent, 'sso-only')).status).toBe(303);
      const link = app.events.of('sendMagicLink').find((e) => e.user.id === user.id)!.link;
      expect(app.events.of('sendMagicLink').find((e) => e.user.id === user.id)!.user.hasPassword).toBe(false);
      expect((await confirm(agent, await landingPath(link))).status).toBe(303);
      expect((await agent.get('/me')).body).toEqual({ hasPassword: false });

      const page = await agent.get('/accounts/password_change/');
      expect(page.status).toBe(403);
      expect(page.text).toContain(LOGIN_MESSAGES.password_none);
      expect(page.text).not.toContain('name="old_password"');
      const token = await csrf(agent, '/accounts/login/');
      const posted = await agent.post('/accounts/password_change/').type('form').send({ _csrf: token, old_password: '', new_password1: 'x'.repeat(20), new_password2: 'x'.repeat(20) });
      expect(posted.status).toBe(403);
      expect(posted.text).toContain(LOGIN_MESSAGES.password_none);
      expect((await app.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBeNull();
      expect(app.events.of('passwordChanged')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('users with a password see hasPassword true and the form', async () => {
    const { agent } = await loggedInUser();
    const page = await agent.get('/accounts/password_change/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="old_password"');
    expect(t.events.of('login').at(-1)!.user.hasPassword).toBe(true);
  });
});
