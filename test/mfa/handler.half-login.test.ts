// The half-login after a correct password: not a login, a new session id at each step, nothing else reachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, csrf, csrfFrom, isLoggedIn, postForm, sessionIdSet, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, enrollTotpUser, mfaUser, passwordStep, pendingOf, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
let secret: string;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
  await mfaUser(t, 'hal');
  ({ secret } = await enrollTotpUser(t, 'hal'));
});
afterAll(() => t.close());

describe('half-login after the password', () => {
  it('is not an authenticated session: req.user stays empty and protected routes redirect', async () => {
    // Threat (item 22): a correct password alone reaches protected pages while the second factor is pending.
    const agent = t.agent();
    const logins = t.events.of('login').length;
    expect(await passwordStep(agent, 'hal', '/private')).toBe('/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    const profile = await agent.get('/accounts/profile/');
    expect(profile.status).toBe(303);
    expect(profile.headers.location).toBe('/accounts/login/?next=%2Faccounts%2Fprofile%2F');
    const change = await agent.get('/accounts/password_change/');
    expect(change.status).toBe(303);
    expect(change.headers.location).toMatch(/^\/accounts\/login\/\?next=/);
    const json = await agent.get('/private').set('Accept', 'application/json');
    expect(json.status).toBe(401);
    expect(json.body).toEqual({ error: 'login_required' });
    // The login page does not think anyone is logged in.
    const login = await agent.get('/accounts/login/');
    expect(login.text).not.toContain('You are logged in as');
    expect(login.text).toContain('name="username"');
    expect(t.events.of('login').length).toBe(logins);
  });

  it('keeps only ids and counters in the session, no password and no secret', async () => {
    // Threat (item 30): factor or challenge ids taken from the client, or secrets lingering in the session.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'hal', password: PASSWORD });
    const sid = sessionIdSet(res)!;
    const pending = await pendingOf(t, sid);
    const user = await t.prisma.user.findUniqueOrThrow({ where: { username: 'hal' } });
    expect(pending).toMatchObject({ userId: user.id, next: '/accounts/profile/', attempts: 0, v: user.sessionVersion });
    expect(pending!.expiresAt).toBe(t.clock.now + 600_000);
    expect(JSON.stringify(pending)).not.toContain(PASSWORD);
  });

  it('changes the session id at the password step and again when the second factor passes; old ids are dead', async () => {
    // Threat (item 21): session fixation across the privilege changes of a two-step login.
    const agent = t.agent();
    const first = await agent.get('/accounts/login/');
    const anonymous = sessionIdSet(first)!;
    const password = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(first.text), username: 'hal', password: PASSWORD });
    const half = sessionIdSet(password)!;
    expect(half).toBeTruthy();
    expect(half).not.toBe(anonymous);
    const done = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(done.status).toBe(303);
    const full = sessionIdSet(done)!;
    expect(full).toBeTruthy();
    expect(full).not.toBe(half);
    expect(await pendingOf(t, full)).toBeUndefined();
    expect(await new Promise((r) => t.store.get(half, (_e, s) => r(s)))).toBeFalsy();
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('replaying the half-login cookie after the login does not authenticate', async () => {
    // Threat (item 22): cookies captured during the password step are replayed after the victim finished MFA.
    t.clock.advance(30_000);
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'hal', password: PASSWORD });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    expect((await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) })).status).toBe(303);
    const replay = await t.agent().get('/private').set('Cookie', cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/accounts/login/?next=%2Fprivate');
    const verify = await t.agent().get('/accounts/verify/').set('Cookie', cookie);
    expect(verify.status).toBe(303);
    expect(verify.headers.location).toBe('/accounts/login/');
  });

  it('MFA pages without a half-login go to the login page', async () => {
    for (const path of ['/accounts/verify/', '/accounts/enroll/', '/accounts/enroll-totp/', '/accounts/enroll-sms/', '/accounts/recovery-codes/']) {
      const res = await t.agent().get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.location, path).toBe('/accounts/login/');
    }
  });

  it('a fully logged-in user cannot enroll another factor through the MFA pages', async () => {
    // Threat (item 31): adding a factor without re-authentication, from an existing session.
    t.clock.advance(30_000);
    const agent = t.agent();
    await passwordStep(agent, 'hal');
    expect((await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) })).status).toBe(303);
    const res = await postForm(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/login/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/login/');
    const user = await t.prisma.user.findUniqueOrThrow({ where: { username: 'hal' } });
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(1);
  });
});
