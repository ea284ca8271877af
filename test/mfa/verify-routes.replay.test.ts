// One code, one login: TOTP codes are single-use across challenges and sessions, a verified challenge is never
// accepted twice, and challenge ids come only from the session.
import { createHmac } from 'node:crypto';
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, csrf, csrfFrom, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import {
  MFA_RULE,
  enrollSmsUser,
  enrollTotpUser,
  halfLogin,
  mfaUser,
  passwordStep,
  pendingOf,
  smsCode,
  startMfaLogin,
  startTotpEnrollment,
  totpCode,
} from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

/** A second cookie for a copy of session `sid` (as if the store were restored from a backup, or two requests raced). */
async function cloneSession(sid: string): Promise<string> {
  const data = await new Promise<unknown>((resolve, reject) => t.store.get(sid, (err, s) => (err ? reject(err) : resolve(s))));
  const copy = `${sid.slice(0, -4)}copy`;
  await new Promise<void>((resolve, reject) => t.store.set(copy, data as never, (err) => (err ? reject(err) : resolve())));
  const signed = `s:${copy}.${createHmac('sha256', 'test-secret').update(copy).digest('base64').replace(/=+$/, '')}`;
  return `connect.sid=${encodeURIComponent(signed)}`;
}

describe('TOTP codes are single-use', () => {
  it('a code accepted on one challenge is refused on a new challenge in the same window', async () => {
    // Threat (item 29): a shoulder-surfed or phished TOTP code is replayed within its 30-90 s window.
    const { user, agent: first, secret } = await startMfaLogin(t, 'ada', { enrolled: { factor: 'totp' } });
    const code = totpCode(t, secret);
    expect((await postForm(first, '/accounts/verify/', { code })).status).toBe(303);

    const second = t.agent();
    await passwordStep(second, 'ada');
    const replay = await postForm(second, '/accounts/verify/', { code });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain(LOGIN_MESSAGES.mfa_code_used);
    expect(await isLoggedIn(second)).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: { id: user.id }, reason: 'second_factor_failed', method: 'mfa' });

    // The emulator (like WorkOS) would accept the code on a fresh challenge: only our used-code cache refuses it.
    const factor = await t.prisma.mfaFactor.findFirstOrThrow({ where: { userId: user.id } });
    const sdk = new WorkOS(t.emulator.apiKey, t.emulator.sdkOptions);
    const challenge = await sdk.mfa.challengeFactor({ authenticationFactorId: factor.workosFactorId });
    expect((await sdk.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code })).valid).toBe(true);

    t.clock.advance(30_000);
    expect((await postForm(second, '/accounts/verify/', { code: totpCode(t, secret) })).status).toBe(303);
  });

  it('the enrollment code cannot be reused as the first login code', async () => {
    // Threat (item 52): the code typed at enrollment (seen on screen or in traffic) opens the next login.
    const { agent } = await startMfaLogin(t, 'bea');
    const { secret } = await startTotpEnrollment(agent);
    const code = totpCode(t, secret);
    expect((await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code })).status).toBe(200);

    const next = t.agent();
    expect(await passwordStep(next, 'bea')).toBe('/accounts/verify/');
    const reused = await postForm(next, '/accounts/verify/', { code });
    expect(reused.status).toBe(401);
    expect(reused.text).toContain(LOGIN_MESSAGES.mfa_code_used);
    expect(await isLoggedIn(next)).toBe(false);
  });

  it('two parallel logins with the same code: exactly one succeeds', async () => {
    // Threat (item 52): a TOTP code succeeds twice when two requests race.
    await mfaUser(t, 'cyd');
    const { secret } = await enrollTotpUser(t, 'cyd');
    const a = t.agent();
    const b = t.agent();
    await passwordStep(a, 'cyd');
    await passwordStep(b, 'cyd');
    const [tokenA, tokenB] = [await csrf(a, '/accounts/verify/'), await csrf(b, '/accounts/verify/')];
    const code = totpCode(t, secret);
    const results = await Promise.all([
      a.post('/accounts/verify/').type('form').send({ _csrf: tokenA, code }),
      b.post('/accounts/verify/').type('form').send({ _csrf: tokenB, code }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 401]);
    expect(results.find((r) => r.status === 401)!.text).toContain(LOGIN_MESSAGES.mfa_code_used);
    expect([await isLoggedIn(a), await isLoggedIn(b)].filter(Boolean)).toHaveLength(1);
  });
});

describe('challenges', () => {
  it('a verified challenge is never accepted twice, even from a copy of the session', async () => {
    // Threat (item 30): a replayed pending session reuses a challenge that already logged someone in.
    const { agent, sid } = await startMfaLogin(t, 'dee', { enrolled: { factor: 'sms', phone: '+15005550050' } });
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const code = smsCode(t, '+15005550050');
    const cookie = await cloneSession(sid);
    expect((await postForm(agent, '/accounts/verify/', { code })).status).toBe(303);

    const copy = t.agent();
    const page = await copy.get('/accounts/verify/').set('Cookie', cookie);
    expect(page.status).toBe(200);
    const token = csrfFrom(page.text);
    const replay = await copy.post('/accounts/verify/').set('Cookie', cookie).type('form').send({ _csrf: token, code });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain(LOGIN_MESSAGES.mfa_code_used);
    const after = await copy.get('/private').set('Cookie', cookie);
    expect(after.status).toBe(303);
  });

  it('ignores a challenge id from another session', async () => {
    // Threat (item 30): a challenge id (and its code) from session S1 is submitted in session S2.
    await mfaUser(t, 'eve');
    await mfaUser(t, 'fay');
    await enrollSmsUser(t, 'eve', '+15005550051');
    await enrollSmsUser(t, 'fay', '+15005550052');
    const s1 = t.agent();
    const { sid } = await halfLogin(s1, 'eve');
    await postForm(s1, '/accounts/verify/', { action: 'send' });
    const challengeId = ((await pendingOf(t, sid)) as { challenge: { id: string } }).challenge.id;
    expect(challengeId).toMatch(/^auth_challenge_/);
    const code = smsCode(t, '+15005550051');

    const s2 = t.agent();
    await passwordStep(s2, 'fay');
    const forged = await postForm(s2, '/accounts/verify/', { challenge_id: challengeId, challengeId, authentication_challenge_id: challengeId, code });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain(LOGIN_MESSAGES.mfa_send_first);
    expect(await isLoggedIn(s2)).toBe(false);
    // The challenge still belongs to S1 and works there.
    expect((await postForm(s1, '/accounts/verify/', { code })).status).toBe(303);
  });
});
