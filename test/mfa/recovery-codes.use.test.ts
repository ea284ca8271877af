// Recovery codes: random, stored hashed, each usable once at verify/ instead of a code, and only by its owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '../../src/mfa/recovery-codes.ts';
import { createTestApp, csrfFrom, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, enrollTotpUser, mfaUser, passwordStep, startMfaLogin } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

describe('recovery codes', () => {
  it('are 10 distinct base32 codes, normalised on input and hashed per user', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(normalizeRecoveryCode(' abcde-fgh23 ')).toBe('ABCDEFGH23');
    expect(normalizeRecoveryCode('ABCDE FGH23')).toBe('ABCDEFGH23');
    expect(normalizeRecoveryCode('ABCDE-FGH21')).toBeNull();
    expect(normalizeRecoveryCode('ABCDE')).toBeNull();
    expect(hashRecoveryCode(1, 'abcde-fgh23')).toBe(hashRecoveryCode(1, 'ABCDEFGH23'));
    expect(hashRecoveryCode(1, 'ABCDEFGH23')).not.toBe(hashRecoveryCode(2, 'ABCDEFGH23'));
  });

  it('one logs in instead of a code, once; reusing it is refused', async () => {
    // Threat: a recovery code (a password-equivalent second factor) works more than once.
    const { user, agent, recoveryCodes } = await startMfaLogin(t, 'rita', { enrolled: { factor: 'totp', next: '/private' }, next: '/private' });
    const page = await agent.get('/accounts/verify/');
    expect(page.text).toContain('<summary>Lost your phone? Use a recovery code</summary>');
    expect(page.text).toContain('<label for="id_recovery_code">Recovery code</label>');
    const used = recoveryCodes[3]!;
    const ok = await postForm(agent, '/accounts/verify/', { action: 'recovery', recovery_code: used.toLowerCase() });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/private');
    expect(await isLoggedIn(agent)).toBe(true);
    const rows = await t.prisma.mfaRecoveryCode.findMany({ where: { userId: user.id } });
    expect(rows.filter((r) => r.usedAt)).toHaveLength(1);
    expect(rows.find((r) => r.usedAt)!.codeHash).toBe(hashRecoveryCode(user.id, used));

    const again = t.agent();
    await passwordStep(again, 'rita');
    const reuse = await postForm(again, '/accounts/verify/', { action: 'recovery', recovery_code: used });
    expect(reuse.status).toBe(401);
    expect(reuse.text).toContain(LOGIN_MESSAGES.mfa_recovery_invalid);
    expect(await isLoggedIn(again)).toBe(false);
    const other = await postForm(again, '/accounts/verify/', { action: 'recovery', recovery_code: recoveryCodes[4]!.replace('-', ' ') });
    expect(other.status).toBe(303);
    expect(await isLoggedIn(again)).toBe(true);
  });

  it("another user's code is refused", async () => {
    // Threat: recovery codes are checked globally, so one user's code opens another account.
    await mfaUser(t, 'sven');
    await mfaUser(t, 'tove');
    const sven = await enrollTotpUser(t, 'sven');
    await enrollTotpUser(t, 'tove');
    const agent = t.agent();
    await passwordStep(agent, 'tove');
    const res = await postForm(agent, '/accounts/verify/', { action: 'recovery', recovery_code: sven.recoveryCodes[0]! });
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_recovery_invalid);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('two parallel uses of one code: exactly one logs in', async () => {
    // Threat (item 40 class): a single-use secret consumed twice by racing requests.
    await mfaUser(t, 'uma');
    const { recoveryCodes } = await enrollTotpUser(t, 'uma');
    const a = t.agent();
    const b = t.agent();
    await passwordStep(a, 'uma');
    await passwordStep(b, 'uma');
    const tokenA = csrfFrom((await a.get('/accounts/verify/')).text);
    const tokenB = csrfFrom((await b.get('/accounts/verify/')).text);
    const results = await Promise.all([
      a.post('/accounts/verify/').type('form').send({ _csrf: tokenA, action: 'recovery', recovery_code: recoveryCodes[0] }),
      b.post('/accounts/verify/').type('form').send({ _csrf: tokenB, action: 'recovery', recovery_code: recoveryCodes[0] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 401]);
  });
});
