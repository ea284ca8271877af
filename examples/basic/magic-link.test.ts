// The example's "magic" user (magic@example.com) logs in by email, as at `npm start`: with the WorkOS emulator by a
// Magic Auth code that lands in the emulator's outbox; without WorkOS by the library's own link, which the demo
// "delivers".
import { describe, expect, it } from 'vitest';
import { csrfFrom } from '../../test/support/app.ts';
import { startDemo, type Demo } from './test-support.ts';

async function logInByLink(demo: Demo, landing: () => Promise<string>) {
  const agent = demo.agent();
  const start = await agent.get('/accounts/login/');
  const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(start.text), username: 'magic' });
  expect(step2.headers.location).toBe('/accounts/complete/');
  expect((await agent.get('/accounts/complete/')).text).toContain('Check your email');
  const path = await landing();
  const page = await agent.get(path);
  expect(page.text).toContain('Log in as <strong>magic</strong>?');
  const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
  const done = await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
  expect(done.headers.location).toBe('/accounts/profile/');
  return (await agent.get('/accounts/profile/')).text;
}

describe('example app: magic link', () => {
  it('with the emulator, WorkOS emails a Magic Auth code (in the outbox) and typing it logs in', async () => {
    const demo = await startDemo({ emulator: true });
    const emulator = demo.emulator!;
    try {
      expect(demo.login.config.magicLink.provider).toBe('workos-magic-auth');
      const agent = demo.agent();
      const start = await agent.get('/accounts/login/');
      const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(start.text), username: 'magic' });
      expect(step2.headers.location).toBe('/accounts/complete/');
      const page = await agent.get('/accounts/complete/');
      expect(page.text).toContain('6-digit');
      const mail = emulator.outbox.latest('magic@example.com');
      expect(mail?.kind).toBe('email');
      const done = await agent.post('/accounts/magic/code/').type('form').send({ _csrf: csrfFrom(page.text), code: mail!.code! });
      expect(done.headers.location).toBe('/accounts/profile/');
      expect((await agent.get('/accounts/profile/')).text).toContain('magic@example.com');
      // WorkOS sent it; the demo printed nothing.
      expect(demo.mails.filter((m) => m.kind === 'magic-link')).toEqual([]);
    } finally {
      await demo.close();
    }
  });

  it('without WorkOS, the local provider hands the link to the demo mailer', async () => {
    const demo = await startDemo();
    try {
      expect(demo.login.config.magicLink.provider).toBe('local');
      const profile = await logInByLink(demo, async () => {
        const mail = demo.mails.find((m) => m.kind === 'magic-link');
        expect(mail?.to).toBe('magic@example.com');
        expect(mail!.link).toMatch(/^http:\/\/localhost:3000\/accounts\/callback\/magic\/\?token=[\w-]{43}$/);
        return new URL(mail!.link).pathname + new URL(mail!.link).search;
      });
      expect(profile).toContain('magic@example.com');
    } finally {
      await demo.close();
    }
  });
});
