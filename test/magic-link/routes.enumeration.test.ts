// "Email me a login link" answers the same for everyone, and sends only to active users whose rule is `magic`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { SENT_TEXT, askByForm, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

for (const provider of ['local', 'workos'] as const) {
  describe(`the request form (${provider} provider)`, () => {
    let t: TestApp;
    let seed: MagicSeed;
    beforeAll(async () => {
      t = await createTestApp({ emulator: provider === 'workos', config: magicConfig(provider) });
      seed = await seedMagicUsers(t);
    });
    beforeEach(() => t.emulator?.outbox.clear());
    afterAll(() => t.close());

    const sentCount = () => t.events.of('sendMagicLink').length + (t.emulator?.outbox.messages().length ?? 0);

    it('shows a form that needs no JavaScript', async () => {
      const page = await t.agent().get('/accounts/magic/?next=%2Freports%2F');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<form method="post" action="/accounts/magic/"');
      expect(page.text).toContain('name="username"');
      expect(page.text).toContain('<input type="hidden" name="next" value="/reports/">');
    });

    it('sends to an active magic user found by username or by email address', async () => {
      for (const name of ['mia', 'mia@magic.test']) {
        const before = t.events.of('sendMagicLink').length;
        const res = await askByForm(t.agent(), name);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe('/accounts/complete/');
        expect(t.events.of('sendMagicLink')).toHaveLength(before + 1);
        expect(t.events.of('sendMagicLink').at(-1)!.user.id).toBe(seed.ids.magic);
      }
    });

    it('unknown, inactive, password and email_mfa users get the same answer, and nothing is sent', async () => {
      // Threat (items 8, 10): the request form tells who has an account, or emails a link to users whose rule forbids it.
      const agent = t.agent();
      const known = await askByForm(agent, 'mia');
      const knownPage = await agent.get('/accounts/complete/');
      for (const name of ['nobody', 'nobody@magic.test', 'ina', 'ina@magic.test', 'pat', 'sam', 'sam@2fa.test']) {
        const before = sentCount();
        const failedBefore = t.events.of('loginFailed').length;
        const other = t.agent();
        const res = await askByForm(other, name);
        expect(res.status, name).toBe(known.status);
        expect(res.headers.location, name).toBe(known.headers.location);
        const page = await other.get('/accounts/complete/');
        expect(page.status).toBe(200);
        expect(page.text, name).toBe(knownPage.text);
        expect(page.text).toContain(SENT_TEXT);
        expect(sentCount(), name).toBe(before);
        const failed = t.events.of('loginFailed').slice(failedBefore);
        if (name === 'pat' || name.startsWith('sam')) {
          // Known users whose rule refuses links leave an audit trail (not visible to the requester).
          expect(failed).toMatchObject([{ reason: 'method_not_allowed', user: { username: name.startsWith('sam') ? 'sam' : 'pat' } }]);
        } else {
          expect(failed, name).toEqual([]);
        }
      }
    });

    it('an empty name is asked for again', async () => {
      const res = await askByForm(t.agent(), '   ');
      expect(res.status).toBe(400);
      expect(res.text).toContain('Please enter your username.');
    });
  });
}
