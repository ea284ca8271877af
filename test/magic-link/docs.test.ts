// The README's magic-link section: every TypeScript block is a slice of this file, and this file runs them (config, rules,
// the complete sendMagicLink listener) end to end with the local provider.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeSection } from '../support/readme.ts';
import { workosLogin } from '../../src/index.ts';
import { createUser, csrfFrom } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const root = resolve(import.meta.dirname, '../..');
const doc = readmeSection('Magic links');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
const flat = (text: string) => text.split('\n').map((l) => l.trim()).join('\n');

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

describe('README: magic links', () => {
  it('every TypeScript block is a slice of this test file', () => {
    const source = flat(readFileSync(import.meta.filename, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(source.includes(flat(block)), block.slice(0, 80)).toBe(true);
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
      if (login.config.magicLink.provider === 'workos' && !login.config.sendCustomEmail) return;
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
