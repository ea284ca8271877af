// WorkOS errors and timeouts (emulator fault injection): an "upstream" error page, and nothing half-done.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, csrfFrom, isLoggedIn, passwordLogin, type WorkosTestApp } from '../support/app.ts';
import { askAtLogin, landingPath, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

const UPSTREAM = 'We could not complete your request right now. Please try again in a moment.';
let t: WorkosTestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({ emulator: { timeoutMs: 300 }, config: magicConfig('workos') });
  seed = await seedMagicUsers(t);
});
beforeEach(() => {
  t.emulator.outbox.clear();
  t.emulator.faults.clear();
});
afterAll(() => t.close());

/** How many stored sessions hold a pending magic-link login. */
function pendingLogins(): Promise<number> {
  return new Promise((resolve, reject) =>
    t.store.all((err, sessions) => (err ? reject(err) : resolve(Object.values(sessions ?? {}).filter((s) => s.workosLogin?.magic).length))),
  );
}

describe('WorkOS failures', () => {
  const faults = [
    { name: 'createSession answers 500', rule: { method: 'POST', path: '/passwordless/sessions', status: 500 } },
    { name: 'createSession times out', rule: { method: 'POST', path: '/passwordless/sessions', hangMs: 2000 } },
    { name: 'sendSession answers 500', rule: { method: 'POST', path: '/passwordless/sessions/*', status: 500 } },
    { name: 'sendSession times out', rule: { method: 'POST', path: '/passwordless/sessions/*', hangMs: 2000 } },
  ];

  for (const { name, rule } of faults) {
    it(`magic step 2: ${name} → error page, no event, no mail, no pending login`, async () => {
      // Threat: a WorkOS outage leaves a half-made link behind or shows a stack trace.
      t.emulator.faults.inject(rule);
      const sent = t.events.of('sendMagicLink').length;
      const logged = t.logs.length;
      const pending = await pendingLogins();
      const agent = t.agent();
      const res = await askAtLogin(agent, 'mia');
      expect(res.status).toBe(503);
      expect(res.text).toContain(UPSTREAM);
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
      expect(t.events.of('sendMagicLink')).toHaveLength(sent);
      expect(t.emulator.outbox.messages()).toHaveLength(0);
      expect(t.emulator.faults.pending()).toHaveLength(0);
      expect(await pendingLogins()).toBe(pending);
      expect(t.logs.slice(logged).join('\n')).toMatch(/WorkOS passwordless\.(createSession|sendSession) failed/);
      // Once WorkOS is back, the same browser simply asks again.
      expect((await askAtLogin(agent, 'mia')).status).toBe(303);
      expect(t.emulator.outbox.messages()).toHaveLength(1);
      expect(await pendingLogins()).toBe(pending + 1);
    });
  }

  it('email_mfa: a failed send after the password leaves no half-login behind', async () => {
    t.emulator.faults.inject({ method: 'POST', path: '/passwordless/sessions', status: 502 });
    const pending = await pendingLogins();
    const agent = t.agent();
    const res = await passwordLogin(agent, 'sam', PASSWORD);
    expect(res.status).toBe(503);
    expect(res.text).toContain(UPSTREAM);
    const page = await agent.get('/accounts/complete/');
    expect(page.text).not.toContain('Your password was correct');
    expect(await pendingLogins()).toBe(pending);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  for (const [name, rule] of [
    ['answers 500', { method: 'POST', path: '/sso/token', status: 500 }],
    ['times out', { method: 'POST', path: '/sso/token', hangMs: 2000 }],
  ] as const) {
    it(`the code exchange ${name} → error page, not logged in`, async () => {
      const agent = t.agent();
      await askAtLogin(agent, 'mia');
      const path = await landingPath(t.emulator.outbox.latest('Mia@Magic.test')!.link!);
      const page = await agent.get(path);
      t.emulator.faults.inject(rule);
      const logged = t.logs.length;
      const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
      const res = await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
      expect(res.status).toBe(503);
      expect(res.text).toContain(UPSTREAM);
      expect(await isLoggedIn(agent)).toBe(false);
      expect(t.logs.slice(logged).join('\n')).toContain('WorkOS sso.getProfileAndToken (magic link) failed');
    });
  }
});
