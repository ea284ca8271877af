// docs/magic-links.md: every TypeScript block is a slice of this file, and this file runs them (config, rules, the
// complete sendMagicLink listener) end to end with the local provider; the default provider is as described (the
// rest of the settings table is checked by settings.test.ts).
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { workosLogin } from '../../src/index.ts';
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
    const sent: { to: string; subject: string; text: string }[] = [];
    const mailer = { send: async (mail: { to: string; subject: string; text: string }) => void sent.push(mail) };

    const login = workosLogin({
      prisma,
      baseUrl: 'https://app.example.com',
      magicLink: { provider: 'local', ttlSeconds: 600, sendsPerEmail: { points: 5, durationSeconds: 900 }, sendsPerIp: { points: 30, durationSeconds: 900 } },
    });

    await login.rules.create({ name: 'Magic link for example.com', method: 'magic', priority: 20, emailRegex: '@example\\.com$' });
    await login.rules.create({ name: 'Password, then an email link', method: 'email_mfa', priority: 30, emailRegex: '@bank\\.example$' });

    login.on('sendMagicLink', async ({ user, link, rule }) => {
      // WorkOS emails the link itself unless sendCustomEmail is true; the local provider always relies on you.
      if (login.config.magicLink.provider === 'workos' && !login.config.magicLink.sendCustomEmail) return;
      await mailer.send({
        to: user.email,
        subject: 'Your login link',
        text: `Hello ${user.firstName || user.username},\n\nOpen this link to log in (${rule.name}). It works once and expires in ${Math.round(login.config.magicLink.ttlSeconds / 60)} minutes:\n\n${link}\n\nIf you did not ask for it, you can ignore this email.`,
      });
    });

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
});
