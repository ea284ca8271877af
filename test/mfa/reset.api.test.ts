// login.resetMfa(userId): factors (here and at WorkOS) and recovery codes removed, sessions ended, event emitted.
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, isLoggedIn, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, enrollTotpUser, mfaUser, passwordStep } from '../support/mfa.ts';

let t: WorkosTestApp;
let sdk: WorkOS;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
  sdk = new WorkOS(t.emulator.apiKey, t.emulator.sdkOptions);
});
afterAll(() => t.close());

describe('resetMfa', () => {
  it('removes the factor here and at WorkOS, the recovery codes and every session; the next login enrolls again', async () => {
    // Threat (items 25, 44): a lost or compromised factor stays usable, or its sessions stay open, after a reset.
    const user = await mfaUser(t, 'vera');
    const { agent } = await enrollTotpUser(t, 'vera');
    expect(await isLoggedIn(agent)).toBe(true);
    const [factor] = await t.prisma.mfaFactor.findMany({ where: { userId: user.id } });
    const pending = t.agent();
    await passwordStep(pending, 'vera');

    // Snippet from docs/mfa.md:
    const result = await t.login.resetMfa(user.id);
    // result: { factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 }
    expect(result).toEqual({ factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 });

    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.prisma.mfaRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    await expect(sdk.mfa.getFactor(factor!.workosFactorId)).rejects.toMatchObject({ status: 404 });
    expect(await isLoggedIn(agent)).toBe(false);
    const stale = await pending.get('/accounts/verify/');
    expect(stale.status).toBe(401);
    expect(t.events.of('mfaReset').at(-1)).toMatchObject({ user: { id: user.id, username: 'vera' }, factorsRemoved: 1, recoveryCodesRemoved: 10 });
    expect(JSON.stringify(t.events.of('mfaReset').at(-1))).not.toContain('passwordHash');

    const again = t.agent();
    expect(await passwordStep(again, 'vera')).toBe('/accounts/enroll/');
  });

  it('treats a factor WorkOS no longer knows as deleted', async () => {
    const user = await mfaUser(t, 'will');
    await enrollTotpUser(t, 'will');
    const factor = await t.prisma.mfaFactor.findFirstOrThrow({ where: { userId: user.id } });
    await sdk.mfa.deleteFactor(factor.workosFactorId);
    expect(await t.login.resetMfa(user.id)).toEqual({ factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 });
  });

  it('still resets locally when WorkOS is down, and reports the factors it could not delete there', async () => {
    const user = await mfaUser(t, 'xavi');
    await enrollTotpUser(t, 'xavi');
    const factor = await t.prisma.mfaFactor.findFirstOrThrow({ where: { userId: user.id } });
    t.emulator.faults.inject({ path: `/auth/factors/${factor.workosFactorId}`, method: 'DELETE', status: 500 });
    expect(await t.login.resetMfa(user.id)).toEqual({ factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 1 });
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
  });

  it('resolves to null for an unknown user', async () => {
    expect(await t.login.resetMfa(999_999)).toBeNull();
  });
});
