// `sendCustomEmail: true` with the WorkOS provider: WorkOS does not email anything; the app's sendMagicLink
// listener gets the link and that link logs in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { workosLogin } from '../../src/index.ts';
import { BASE_URL } from '../support/app.ts';
import { askAtLogin, confirm, createMagicApp, isLoggedIn, landingPath, linksFor, type MagicApp } from './support.ts';

let t: MagicApp;
beforeAll(async () => {
  t = await createMagicApp({ provider: 'workos', config: { sendCustomEmail: true } });
});
afterAll(() => t.done());

describe('magic link with sendCustomEmail: true', () => {
  it('WorkOS sends nothing; the event carries a link that logs in', async () => {
    const agent = t.agent();
    const res = await askAtLogin(agent, 'mia');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(t.emulator!.outbox.messages()).toHaveLength(0);
    const links = linksFor(t, t.ids.magic);
    expect(links).toHaveLength(1);
    expect(links[0]!.startsWith(`${t.emulator!.url}/passwordless/`)).toBe(true);
    const done = await confirm(agent, await landingPath(links[0]!));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/accounts/profile/');
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('an app without a sendMagicLink listener is told in the log (without the link)', async () => {
    // An app that forgot its listener: the library's own router, without the harness's event log.
    const logs: string[] = [];
    const log = (m: string) => void logs.push(m);
    const emulator = t.emulator!;
    const login = workosLogin({
      prisma: t.prisma,
      baseUrl: BASE_URL,
      bcryptCost: 4,
      sendCustomEmail: true,
      workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions },
      logger: { info: log, warn: log, error: log },
    });
    const app = express();
    app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
    app.use('/accounts', login);
    expect(login.config.magicLink.provider).toBe('workos');
    expect(login.events.listenerCount('sendMagicLink')).toBe(0);
    const res = await askAtLogin(supertest.agent(app), 'mia');
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(logs.find((l) => l.includes('was not delivered'))).toContain(`a magic link for user ${t.ids.magic} was not delivered: listen to "sendMagicLink"`);
    expect(logs.join('\n')).not.toContain('/passwordless/');
  });
});
