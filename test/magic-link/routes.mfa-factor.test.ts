// A `magic` user who has enrolled an MFA factor: the link stands in for the password only, never for the factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAtLogin, confirm, createMagicApp, isLoggedIn, landingPath, linksFor, type MagicApp } from './support.ts';

let t: MagicApp;
beforeAll(async () => {
  t = await createMagicApp({ provider: 'local' });
  await t.prisma.mfaFactor.create({ data: { userId: t.ids.magic, workosFactorId: 'auth_factor_magic_user', type: 'totp' } });
});
afterAll(() => t.done());

describe('magic link for a user with an MFA factor', () => {
  it('does not log in on the link alone: it hands over to the second factor', async () => {
    // Threat (item 10): a mailbox compromise skips the factor the user enrolled.
    const agent = t.agent();
    await askAtLogin(agent, 'mia', '/reports/');
    const res = await confirm(agent, await landingPath(linksFor(t, t.ids.magic).at(-1)!));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('login').filter((e) => e.user.id === t.ids.magic)).toHaveLength(0);
    // …and the second factor is really asked for (not a dead end).
    const verify = await agent.get('/accounts/verify/');
    expect(verify.status).toBe(200);
    expect(verify.text).toContain('value="verify"');
  });
});
