// The SSO callback is rate-limited per client IP (`sso.callbackLimit`): past the limit a clear 429 error page with
// Retry-After, a `loginFailed` event, and WorkOS is not called (the code stays unspent). Other IPs are not affected.
// Clients are told apart by X-Forwarded-For from the trusted loopback proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin, startLogin, whoAmI } from '../support/workos.ts';

const THROTTLED = 'Too many sign-in attempts from your network. Please wait a minute and try again.';

let t: WorkosTestApp;

beforeAll(async () => {
  t = await createTestApp({
    emulator: true,
    config: { sso: { callbackLimit: { points: 3, durationSeconds: 60, blockSeconds: 60 } } },
    configure: (a) => a.set('trust proxy', 'loopback'),
  });
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
});
afterAll(() => t.close());

describe('SSO callback rate limit', () => {
  it('past the limit one IP gets a 429 page, WorkOS is not called, and another IP still logs in with the same code', async () => {
    const agent = t.agent();
    const path = await completeIdpLogin(t.emulator, await startLogin(agent, 'ada'), { email: 'ada@acme.test' });
    const ip = '203.0.113.7';
    for (let i = 0; i < 3; i++) {
      const forged = await agent.get(`/accounts/callback/sso/?code=forged${i}&state=${'A'.repeat(43)}`).set('X-Forwarded-For', ip);
      expect(forged.status).toBe(400);
    }
    t.emulator.requests.clear();
    const blocked = await agent.get(path).set('X-Forwarded-For', ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain(THROTTLED);
    expect(blocked.text).not.toMatch(/at \w+ \(|node_modules|Error:/);
    expect(t.emulator.requests.list().filter((r) => r.path.startsWith('/sso/'))).toEqual([]);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'sso_callback_throttled', user: null });
    expect(await whoAmI(agent)).toBeNull();

    // The same browser behind another address: the code was never spent, so the login completes.
    const other = await agent.get(path).set('X-Forwarded-For', '198.51.100.9');
    expect(other.status).toBe(303);
    expect(await whoAmI(agent)).toBe('ada');
  });

  it('rejects a bad limit at start-up, naming the key', async () => {
    await expect(createTestApp({ config: { sso: { callbackLimit: { points: 0, durationSeconds: 60 } } } })).rejects.toThrow(/sso\.callbackLimit\.points/);
  });
});
