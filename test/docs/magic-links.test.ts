// docs/magic-links.md: every TypeScript block is a slice of this file, and this file runs them (config, rules, the
// complete sendMagicLink listener) end to end with the local provider, and the listener with WorkOS Magic Auth codes
// (against the emulator); the default provider is as described (the rest of the settings table is checked by
// settings.test.ts).
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createWorkOSEmulator } from '../../src/emulator/index.ts';
import { workosLogin, type WorkosLoginRouter } from '../../src/index.ts';
import { createUser, csrfFrom } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { docBlocks, FAKE_PRISMA, isSliceOf, settingsRows } from './support.ts';

const blocks = docBlocks('docs/magic-links.md').filter((b) => b.lang === 'ts');

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

describe('docs/magic-links.md', () => {
  it('every TypeScript block is a slice of this test file', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(isSliceOf(block, 'test/docs/magic-links.test.ts'), block.code.slice(0, 80)).toBe(true);
  });

  it('the default provider depends on the WorkOS keys, as the settings table says', () => {
    const row = settingsRows('magicLink').find((r) => r.key === 'provider');
    expect(row?.cell).toBe("`'workos'` when the WorkOS keys are configured (config or `WORKOS_API_KEY`/`WORKOS_CLIENT_ID`), else `'local'`");
    expect(parseConfig({ prisma: FAKE_PRISMA, baseUrl: 'https://app.example.com' }, {}).magicLink.provider).toBe('local');
    const withKeys = parseConfig({ prisma: FAKE_PRISMA, baseUrl: 'https://app.example.com' }, { WORKOS_API_KEY: 'sk', WORKOS_CLIENT_ID: 'client' });
    expect(withKeys.magicLink.provider).toBe('workos');
  });

  it('the configuration, the rules and the listener work as shown', async () => {
    const prisma = db.prisma;

    const login = workosLogin({
      prisma,
      baseUrl: 'https://app.example.com',
      magicLink: { provider: 'local', ttlSeconds: 600, sendsPerEmail: { points: 5, durationSeconds: 900 }, sendsPerIp: { points: 30, durationSeconds: 900 } },
    });

    await login.rules.create({ name: 'Magic link for example.com', method: 'magic', priority: 20, emailRegex: '@example\\.com$' });
    await login.rules.create({ name: 'Password, then an email link', method: 'email_mfa', priority: 30, emailRegex: '@bank\\.example$' });

    const sent = listen(login);
    const app = express();
    app.use(session({ secret: 'docs', resave: false, saveUninitialized: false }));
    app.use('/accounts', login);
    app.get('/accounts/profile/', login.requireLogin, (req, res) => void res.send(`hello ${req.user!.username}`));
    await createUser(prisma, { username: 'mia', email: 'mia@example.com', password: null, firstName: 'Mia' });

    const agent = supertest.agent(app);
    const start = await agent.get('/accounts/login/');
    await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(start.text), username: 'mia' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'mia@example.com', subject: 'Your login link' });
    expect(sent[0]!.text).toContain('Hello Mia,\n\nOpen this link to log in (Magic link for example.com). It works once and expires in 10 minutes:');
    const link = /https:\/\/app\.example\.com(\/accounts\/callback\/magic\/\?token=[\w-]{43})/.exec(sent[0]!.text)![1]!;
    const page = await agent.get(link);
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const done = await agent.post('/accounts/callback/magic/').type('form').send({ _csrf: csrfFrom(page.text), token });
    expect(done.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toBe('hello mia');
  });

  it('the listener emails a Magic Auth code (workos-magic-auth with sendCustomEmail), and the code logs in', async () => {
    const emulator = await createWorkOSEmulator();
    try {
      const login = workosLogin({
        prisma: db.prisma,
        baseUrl: 'https://app.example.com',
        workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions },
        magicLink: { provider: 'workos-magic-auth', sendCustomEmail: true },
      });
      const sent = listen(login);
      const app = express();
      app.use(session({ secret: 'docs', resave: false, saveUninitialized: false }));
      app.use('/accounts', login);
      const agent = supertest.agent(app);
      const form = await agent.get('/accounts/magic/');
      await agent.post('/accounts/magic/').type('form').send({ _csrf: csrfFrom(form.text), username: 'mia' });
      expect(sent).toHaveLength(1);
      const code = /^Your login code: (\d{6})$/.exec(sent[0]!.subject)![1]!;
      expect(sent[0]!.text).toBe(`Hello Mia,\n\nYour login code is ${code} (Magic link for example.com). Type it on the page where you asked for it; it works once and expires in 10 minutes.\n\nIf you did not ask for it, you can ignore this email.`);
      const page = await agent.get('/accounts/complete/');
      const done = await agent.post('/accounts/magic/code/').type('form').send({ _csrf: csrfFrom(page.text), code });
      expect(done.headers.location).toBe('/accounts/profile/');
    } finally {
      await emulator.close();
    }
  });
});

/** The page's complete listener on `login`, with a mailer that keeps what it sends. */
function listen(login: WorkosLoginRouter) {
  const sent: { to: string; subject: string; text: string }[] = [];
  const mailer = { send: async (mail: { to: string; subject: string; text: string }) => void sent.push(mail) };

  login.on('sendMagicLink', async (message) => {
    // WorkOS emails links and codes itself unless sendCustomEmail is true; the local provider always relies on you.
    if (login.config.magicLink.provider !== 'local' && !login.config.magicLink.sendCustomEmail) return;
    const { user, rule } = message;
    const hello = `Hello ${user.firstName || user.username},`;
    const minutes = Math.round(login.config.magicLink.ttlSeconds / 60);
    await mailer.send(
      message.kind === 'code'
        ? {
            to: user.email,
            subject: `Your login code: ${message.code}`,
            text: `${hello}\n\nYour login code is ${message.code} (${rule.name}). Type it on the page where you asked for it; it works once and expires in ${minutes} minutes.\n\nIf you did not ask for it, you can ignore this email.`,
          }
        : {
            to: user.email,
            subject: 'Your login link',
            text: `${hello}\n\nOpen this link to log in (${rule.name}). It works once and expires in ${minutes} minutes:\n\n${message.link}\n\nIf you did not ask for it, you can ignore this email.`,
          },
    );
  });
  return sent;
}
