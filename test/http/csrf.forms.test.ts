// Every state-changing POST needs this session's CSRF token: login, logout and password change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type Agent, type TestApp } from '../support/app.ts';

let t: TestApp;
let ivanId: number;

beforeAll(async () => {
  t = await createTestApp();
  ivanId = (await createUser(t.prisma, { username: 'ivan', password: PASSWORD })).id;
  await createUser(t.prisma, { username: 'walter', password: PASSWORD });
});
afterAll(() => t.close());

type Token = 'missing' | 'wrong' | 'other-session' | 'empty';

async function badToken(kind: Token, agent: Agent): Promise<Record<string, string>> {
  if (kind === 'missing') return {};
  if (kind === 'empty') return { _csrf: '' };
  if (kind === 'other-session') return { _csrf: await csrf(t.agent()) };
  const real = await csrf(agent);
  return { _csrf: real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A') };
}

async function loggedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/private');
  return res.status === 200 && res.text === 'private for ivan';
}

function expectRefused(res: { status: number; text: string; headers: Record<string, string> }) {
  expect(res.status).toBe(403);
  expect(res.text).toContain(LOGIN_MESSAGES.csrf);
  expect(res.headers.location).toBeUndefined();
}

const kinds: Token[] = ['missing', 'wrong', 'other-session', 'empty'];

describe('CSRF', () => {
  it.each(kinds)('refuses POST login/ with a %s token and does not log in', async (kind) => {
    // Threat (items 26, 27): a cross-site form logs the victim into an attacker's account.
    const agent = t.agent();
    await agent.get('/accounts/login/');
    const token = await badToken(kind, agent);
    const res = await agent.post('/accounts/login/').type('form').send({ ...token, username: 'ivan', password: PASSWORD });
    expectRefused(res);
    expect(await loggedIn(agent)).toBe(false);
    expect(t.events.of('login').some((e) => e.user.id === ivanId)).toBe(false);
  });

  it('refuses POST login/ from a client that never loaded the form', async () => {
    // Threat (item 26): a forged POST with no session at all is accepted.
    const agent = t.agent();
    const res = await agent.post('/accounts/login/').type('form').send({ username: 'ivan', password: PASSWORD, _csrf: 'x'.repeat(43) });
    // Refused like any other, with the page naming the cause: no session cookie came back.
    expect(res.status).toBe(403);
    expect(res.text).toContain(LOGIN_MESSAGES.csrf_no_cookie);
    expect(await loggedIn(agent)).toBe(false);
  });

  it.each(kinds)('refuses POST logout/ with a %s token and keeps the user logged in', async (kind) => {
    // Threat (items 26, 28): a cross-site form logs the victim out.
    const agent = t.agent();
    expect((await passwordLogin(agent, 'ivan', PASSWORD)).status).toBe(303);
    const before = t.events.of('logout').length;
    const token = await badToken(kind, agent);
    const res = await agent.post('/accounts/logout/').type('form').send(token);
    expectRefused(res);
    expect(await loggedIn(agent)).toBe(true);
    expect(t.events.of('logout').length).toBe(before);
  });

  it.each(kinds)('refuses POST password_change/ with a %s token and keeps the password', async (kind) => {
    // Threat (item 26): a cross-site form changes the victim's password.
    const agent = t.agent();
    expect((await passwordLogin(agent, 'ivan', PASSWORD)).status).toBe(303);
    const hashBefore = (await t.prisma.user.findUniqueOrThrow({ where: { id: ivanId } })).passwordHash;
    const token = await badToken(kind, agent);
    const res = await agent
      .post('/accounts/password_change/')
      .type('form')
      .send({ ...token, old_password: PASSWORD, new_password1: 'attacker chosen 1', new_password2: 'attacker chosen 1' });
    expectRefused(res);
    const after = await t.prisma.user.findUniqueOrThrow({ where: { id: ivanId } });
    expect(after.passwordHash).toBe(hashBefore);
    expect(after.sessionVersion).toBe(0);
    expect(t.events.of('passwordChanged')).toHaveLength(0);
    expect(await loggedIn(agent)).toBe(true);
  });

  it('changes the password with a valid token (the control for the refusals above)', async () => {
    const agent = t.agent();
    expect((await passwordLogin(agent, 'walter', PASSWORD)).status).toBe(303);
    const token = await csrf(agent, '/accounts/password_change/');
    const res = await agent
      .post('/accounts/password_change/')
      .type('form')
      .send({ _csrf: token, old_password: PASSWORD, new_password1: 'a brand new one', new_password2: 'a brand new one' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/password_change/done/');
    expect(t.events.of('passwordChanged').map((e) => e.user.username)).toEqual(['walter']);
  });

  it('accepts the token in the x-csrf-token header', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').set('x-csrf-token', token).type('form').send({ username: 'ivan', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(await loggedIn(agent)).toBe(true);
  });

  it('rotates the token at login: the pre-login token no longer works', async () => {
    // Threat (items 21, 26): a token planted or read before login stays valid in the logged-in session.
    const agent = t.agent();
    const before = await csrf(agent);
    const login = await agent.post('/accounts/login/').type('form').send({ _csrf: before, username: 'ivan', password: PASSWORD });
    expect(login.status).toBe(303);
    expectRefused(await agent.post('/accounts/logout/').type('form').send({ _csrf: before }));
    expect(await loggedIn(agent)).toBe(true);
    const after = await csrf(agent, '/accounts/logout/');
    expect(after).not.toBe(before);
    const res = await agent.post('/accounts/logout/').type('form').send({ _csrf: after });
    expect(res.status).toBe(303);
    expect(await loggedIn(agent)).toBe(false);
  });
});
