// SSO settings: the state lifetime, the callback URL sent to WorkOS, and what happens without WorkOS keys.
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, workosLogin } from '../../src/index.ts';
import { createTestApp, createUser, csrf, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin, startLogin, whoAmI } from '../support/workos.ts';

const apps: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function app(config: Record<string, unknown>): Promise<WorkosTestApp> {
  const t = await createTestApp({ emulator: true, config });
  apps.push(t);
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
  await createUser(t.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
  return t;
}

describe('SSO settings', () => {
  it('sso.stateTtlSeconds sets how long a started login may take', async () => {
    const t = await app({ sso: { stateTtlSeconds: 120 } });
    const early = t.agent();
    const path = await completeIdpLogin(t.emulator, await startLogin(early, 'ada'), { email: 'ada@acme.test' });
    t.clock.advance(119_000);
    expect((await early.get(path)).status).toBe(303);
    const late = t.agent();
    const latePath = await completeIdpLogin(t.emulator, await startLogin(late, 'ada'), { email: 'ada@acme.test' });
    t.clock.advance(120_001);
    const res = await late.get(latePath);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Your sign-in took too long and has expired. Please start again.');
    expect(await whoAmI(late)).toBeNull();
  });

  it('sso.callbackUrl is the redirect URI sent to WorkOS', async () => {
    const t = await app({ sso: { callbackUrl: 'https://login.example.com/sso/callback' } });
    const authorize = new URL(await startLogin(t.agent(), 'ada'));
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://login.example.com/sso/callback');
  });

  it('refuses a bad sso setting at start-up, naming the key', () => {
    const thrown = (() => {
      try {
        workosLogin({ prisma: {} as never, baseUrl: 'http://app.test', sso: { stateTtlSeconds: 5, extra: 1 } as never });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues).toEqual(expect.arrayContaining([expect.stringMatching(/^sso\.stateTtlSeconds: /), expect.stringMatching(/^sso: .*extra/)]));
  });

  // Threat: a misconfigured deployment failing open or with a stack trace instead of a clear page.
  it('without WorkOS keys an SSO step 2 is a "try again" page, and nothing is stored', async () => {
    const t = await createTestApp({ config: { workos: { timeoutMs: 1000 } } });
    apps.push(t);
    await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'ada@acme.test' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('We could not complete your request right now. Please try again in a moment.');
    const sessions = Object.values((t.store as unknown as { sessions: Record<string, string> }).sessions).join('\n');
    expect(sessions).not.toContain('"sso"');
  });
});
