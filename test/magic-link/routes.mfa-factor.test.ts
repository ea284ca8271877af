// A `magic` user who has enrolled an MFA factor: the link stands in for the password only, never for the factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, isLoggedIn, type TestApp } from '../support/app.ts';
import { askAtLogin, confirm, landingPath, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

let t: TestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({ config: magicConfig('local') });
  seed = await seedMagicUsers(t);
  await t.prisma.mfaFactor.create({ data: { userId: seed.ids.magic, workosFactorId: 'auth_factor_magic_user', type: 'totp' } });
});
afterAll(() => t.close());

describe('magic link for a user with an MFA factor', () => {
  it('does not log in on the link alone: it hands over to the second factor', async () => {
    // Threat (item 10): a mailbox compromise skips the factor the user enrolled.
    const agent = t.agent();
    await askAtLogin(agent, 'mia', '/reports/');
    const res = await confirm(agent, await landingPath(linksFor(t, seed.ids.magic).at(-1)!));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('login').filter((e) => e.user.id === seed.ids.magic)).toHaveLength(0);
    // …and the second factor is really asked for (not a dead end).
    const verify = await agent.get('/accounts/verify/');
    expect(verify.status).toBe(200);
    expect(verify.text).toContain('value="verify"');
  });
});
