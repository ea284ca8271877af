// `email_mfa`: the password first, then the emailed link as the second factor, in the same browser session.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, csrf, csrfFrom, isLoggedIn, passwordLogin, type TestApp } from '../support/app.ts';
import {
  INVALID_TEXT,
  OTHER_SESSION_TEXT,
  PASSWORD_FIRST_TEXT,
  askByForm,
  confirm,
  landingPath,
  linksFor,
  magicConfig,
  seedMagicUsers,
  type MagicSeed,
} from './support.ts';

for (const provider of ['local', 'workos'] as const) {
  describe(`email_mfa (${provider} provider)`, () => {
    let t: TestApp;
    let seed: MagicSeed;
    beforeAll(async () => {
      t = await createTestApp({ emulator: provider === 'workos', config: magicConfig(provider) });
      seed = await seedMagicUsers(t);
    });
    beforeEach(() => t.emulator?.outbox.clear());
    afterAll(() => t.close());

    /** The link sam received last: from the emulator's outbox (WorkOS emails it) or from the event (local). */
    const latestLink = () => (provider === 'workos' ? t.emulator!.outbox.latest('sam@2fa.test')?.link : linksFor(t, seed.ids.second).at(-1));

    it('a wrong password sends nothing', async () => {
      // Threat (item 10): the second factor is reachable without the first.
      const before = t.events.of('sendMagicLink').length;
      const res = await passwordLogin(t.agent(), 'sam', 'not the password');
      expect(res.status).toBe(401);
      expect(res.text).toContain('Please enter a correct username and password.');
      expect(t.events.of('sendMagicLink')).toHaveLength(before);
      expect(t.emulator?.outbox.messages() ?? []).toHaveLength(0);
    });

    it('a correct password sends the link and leaves the session NOT logged in until it is confirmed', async () => {
      // Threat (item 22): the half-login after the password is treated as a login.
      const agent = t.agent();
      const sid = (r: { headers: Record<string, unknown> }) => /connect\.sid=([^;]+)/.exec(String(r.headers['set-cookie'] ?? ''))?.[1];
      const first = sid(await agent.get('/accounts/login/'));
      expect(first).toBeTruthy();
      const res = await passwordLogin(agent, 'sam', PASSWORD, '/reports/');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/accounts/complete/');
      // The half-login gets a new session id (fixation), like the mfa method's.
      expect(sid(res)).toBeTruthy();
      expect(sid(res)).not.toBe(first);
      const event = t.events.of('sendMagicLink').at(-1)!;
      expect(event).toMatchObject({ user: { id: seed.ids.second }, rule: { id: seed.rules.emailMfa, method: 'email_mfa' } });
      expect(latestLink()).toBe(event.link);
      const page = await agent.get('/accounts/complete/');
      expect(page.text).toContain('Your password was correct. To finish logging in, open the login link we have sent to your email address.');
      expect(await isLoggedIn(agent)).toBe(false);
      expect(t.events.of('login').filter((e) => e.user.id === seed.ids.second)).toHaveLength(0);
      // The login page does not think anyone is logged in either.
      expect((await agent.get('/accounts/login/')).text).not.toContain('You are logged in as');

      const done = await confirm(agent, await landingPath(latestLink()!));
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/reports/');
      expect(await isLoggedIn(agent)).toBe(true);
      expect(t.events.of('login').at(-1)).toMatchObject({ user: { id: seed.ids.second }, rule: { id: seed.rules.emailMfa }, method: 'email_mfa' });
    });

    it('the link alone, in a browser that never passed the password, does not log in', async () => {
      // Threat (item 10): a rule that requires the password is satisfied by the mailbox alone.
      const asker = t.agent();
      await passwordLogin(asker, 'sam', PASSWORD);
      const path = await landingPath(latestLink()!);
      const other = t.agent();
      const page = await other.get(path);
      expect(page.status).toBe(400);
      expect(page.text).toContain(provider === 'local' ? PASSWORD_FIRST_TEXT : OTHER_SESSION_TEXT);
      const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
      const post = await other.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: await csrf(other) });
      expect(post.status).toBe(400);
      expect(await isLoggedIn(other)).toBe(false);
      expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'link_invalid' });
      // Still usable where the password was entered.
      expect((await confirm(asker, path)).status).toBe(303);
    });

    it('the request form never sends an email_mfa user a link', async () => {
      // Threat (item 10): "forgot how I log in" becomes a password bypass.
      const before = t.events.of('sendMagicLink').length;
      const res = await askByForm(t.agent(), 'sam');
      expect(res.headers.location).toBe('/accounts/complete/');
      expect(t.emulator?.outbox.messages() ?? []).toHaveLength(0);
      expect(t.events.of('sendMagicLink')).toHaveLength(before);
      expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: { id: seed.ids.second }, rule: { method: 'email_mfa' }, reason: 'method_not_allowed' });
    });

    it('an expired half-login is refused', async () => {
      // Threat (item 22 / spec §4): a half-login left open forever.
      const agent = t.agent();
      await passwordLogin(agent, 'sam', PASSWORD);
      const path = await landingPath(latestLink()!);
      const page = await agent.get(path);
      expect(page.status).toBe(200);
      t.clock.advance(600_001);
      const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
      const res = await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
      expect(res.status).toBe(400);
      expect(res.text).toContain(provider === 'local' ? INVALID_TEXT : OTHER_SESSION_TEXT);
      expect(await isLoggedIn(agent)).toBe(false);
    });

    it('a magic link started from the password form of a magic user is not an email_mfa bypass', async () => {
      // Threat (item 9): posting a password for a magic user skips to a login.
      const agent = t.agent();
      const sent = t.events.of('sendMagicLink').length;
      const res = await passwordLogin(agent, 'mia', 'anything');
      // Refused like a wrong password (a distinct answer would tell the method: items 7, H7).
      expect(res.status).toBe(401);
      expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
      expect(await isLoggedIn(agent)).toBe(false);
      expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: { username: 'mia' }, reason: 'method_not_allowed' });
      expect(t.events.of('sendMagicLink')).toHaveLength(sent);
    });
  });
}
