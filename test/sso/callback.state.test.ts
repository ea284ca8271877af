// The SSO `state`: random, stored server-side (hashed), bound to the browser session, single-use and expiring;
// the code is exchanged once. Every bad callback is refused with a message (400), never a 500, and nothing leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin, sessionCookie, startLogin, whoAmI } from '../support/workos.ts';

const STATE_INVALID = 'This sign-in response does not belong to this browser session or was already used. Please start again.';
const STATE_EXPIRED = 'Your sign-in took too long and has expired. Please start again.';
const CODE_INVALID = 'This sign-in has expired or was already used. Please start again.';

let t: WorkosTestApp;

beforeAll(async () => {
  t = await createTestApp({ emulator: true });
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
});
afterAll(() => t.close());

/** Starts a login as ada and signs in at the IdP; returns the callback path and its code and state. */
async function signedIn(agent = t.agent()) {
  const path = await completeIdpLogin(t.emulator, await startLogin(agent, 'ada'), { email: 'ada@acme.test' });
  const q = new URL(path, 'http://x').searchParams;
  return { agent, path, code: q.get('code')!, state: q.get('state')! };
}

const refusedWith = (res: { status: number; text: string }, status: number, text: string) => {
  expect(res.status).toBe(status);
  expect(res.text).toContain(text);
  expect(res.text).toContain('<h1>Log in</h1>'); // back on the login page
};

describe('SSO state', () => {
  it('a correct callback logs in and rotates the session id', async () => {
    const { agent, path } = await signedIn();
    const before = sessionCookie(await agent.get('/accounts/login/'));
    const res = await agent.get(path);
    expect(res.status).toBe(303);
    const after = sessionCookie(res);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect(await whoAmI(agent)).toBe('ada');
  });

  // Threat: login CSRF / forged response — a callback whose state this session never issued.
  it('a forged state is refused before the code is exchanged', async () => {
    const { agent, path, code } = await signedIn();
    const forged = await agent.get(`/accounts/callback/sso/?code=${encodeURIComponent(code)}&state=${'A'.repeat(43)}`);
    refusedWith(forged, 400, STATE_INVALID);
    expect(await whoAmI(agent)).toBeNull();
    // The code was not spent: the genuine callback still works.
    expect((await agent.get(path)).status).toBe(303);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_state_invalid', method: null });
  });

  // Threat: malformed input turning into a server error (the original's 500).
  it('malformed and repeated parameters are refused, never a 500', async () => {
    const agent = t.agent();
    await startLogin(agent, 'ada');
    refusedWith(await agent.get('/accounts/callback/sso/?code=x&state=%E0%A4%A'), 400, STATE_INVALID);
    refusedWith(await agent.get('/accounts/callback/sso/?code=x&state=a&state=b'), 400, CODE_INVALID);
    refusedWith(await agent.get(`/accounts/callback/sso/?code=x&state=${'s'.repeat(600)}`), 400, CODE_INVALID);
    refusedWith(await agent.get('/accounts/callback/sso/?state='), 400, STATE_INVALID);
  });

  // Threat: replay of a captured callback URL (browser history, logs, Referer).
  it('a state is single-use: replaying the callback fails, in this session and in another', async () => {
    const { agent, path } = await signedIn();
    expect((await agent.get(path)).status).toBe(303);
    refusedWith(await agent.get(path), 400, STATE_INVALID);
    refusedWith(await t.agent().get(path), 400, STATE_INVALID);
  });

  // Threat: a state that lives forever can be used long after the login was abandoned.
  it('a state expires after 10 minutes', async () => {
    const { agent, path } = await signedIn();
    t.clock.advance(600_001);
    refusedWith(await agent.get(path), 400, STATE_EXPIRED);
    expect(await whoAmI(agent)).toBeNull();
  });

  // Threat: login CSRF — the attacker's callback (with their code and state) opened in the victim's browser.
  it('a state from another browser session is refused, and the owner can still use it', async () => {
    const { agent, path } = await signedIn();
    const victim = t.agent();
    await victim.get('/accounts/login/');
    refusedWith(await victim.get(path), 400, STATE_INVALID);
    expect(await whoAmI(victim)).toBeNull();
    expect((await agent.get(path)).status).toBe(303);
  });

  // Threat: an authorization code redeemed twice (item 36).
  it('an authorization code is redeemed once: a used code with a fresh state fails', async () => {
    const first = await signedIn();
    expect((await first.agent.get(first.path)).status).toBe(303);
    const agent = t.agent();
    const authorize = new URL(await startLogin(agent, 'ada'));
    const state = authorize.searchParams.get('state')!;
    const replay = await agent.get(`/accounts/callback/sso/?code=${encodeURIComponent(first.code)}&state=${encodeURIComponent(state)}`);
    refusedWith(replay, 400, CODE_INVALID);
    expect(await whoAmI(agent)).toBeNull();
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_code_invalid', method: 'sso' });
  });

  it('keeps at most 5 pending logins per session (the oldest is dropped)', async () => {
    const agent = t.agent();
    const paths: string[] = [];
    for (let i = 0; i < 6; i++) paths.push(await completeIdpLogin(t.emulator, await startLogin(agent, 'ada'), { email: 'ada@acme.test' }));
    refusedWith(await agent.get(paths[0]!), 400, STATE_INVALID);
    expect((await agent.get(paths[5]!)).status).toBe(303);
  });

  // Threat: secrets at rest and in logs — a session store dump or log line replays a login.
  it('stores only a hash of the state; codes and states never reach events or logs', async () => {
    const agent = t.agent();
    const authorize = new URL(await startLogin(agent, 'ada'));
    const state = authorize.searchParams.get('state')!;
    const sessions = Object.values((t.store as unknown as { sessions: Record<string, string> }).sessions);
    const pending = sessions.map((raw) => JSON.parse(raw).workosLogin?.sso?.pending).filter(Boolean).flat();
    expect(pending.length).toBeGreaterThan(0);
    for (const p of pending) expect(Object.keys(p).sort()).toEqual(['expiresAt', 'hash', 'next', 'ruleId', 'typed', 'userId']);
    expect(sessions.join('\n')).not.toContain(state);
    const { code, path } = await signedIn();
    await t.agent().get(path); // refused (another session): logged
    const all = JSON.stringify(t.events.all) + t.logs.join('\n');
    for (const secret of [state, code]) expect(all).not.toContain(secret);
  });
});
