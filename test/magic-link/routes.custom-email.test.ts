// `sendCustomEmail: true` with the WorkOS provider: WorkOS does not email anything; the app's sendMagicLink
// listener gets the link and that link logs in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, isLoggedIn, type WorkosTestApp } from '../support/app.ts';
import { askAtLogin, confirm, landingPath, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

let t: WorkosTestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, config: magicConfig('workos', { magicLink: { sendCustomEmail: true } }) });
  seed = await seedMagicUsers(t);
});
afterAll(() => t.close());

describe('magic link with sendCustomEmail: true', () => {
  it('WorkOS sends nothing; the event carries a link that logs in', async () => {
    const agent = t.agent();
    const res = await askAtLogin(agent, 'mia');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(t.emulator.outbox.messages()).toHaveLength(0);
    const links = linksFor(t, seed.ids.magic);
    expect(links).toHaveLength(1);
    expect(links[0]!.startsWith(`${t.emulator.url}/passwordless/`)).toBe(true);
    const done = await confirm(agent, await landingPath(links[0]!));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/accounts/profile/');
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('an app without a sendMagicLink listener is told in the log (without the link)', async () => {
    // An app that forgot its listener: the library's own router, without the harness's event log.
    const logs: string[] = [];
    const log = (m: string) => void logs.push(m);
    const emulator = t.emulator;
    const bare = await createTestApp({
      db: t.db,
      eventLog: false,
      config: {
        magicLink: { sendCustomEmail: true },
        workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions },
        logger: { info: log, warn: log, error: log },
      },
    });
    const { login } = bare;
    expect(login.config.magicLink.provider).toBe('workos');
    expect(login.events.listenerCount('sendMagicLink')).toBe(0);
    const res = await askAtLogin(bare.agent(), 'mia');
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(logs.find((l) => l.includes('was not delivered'))).toContain(`a magic link for user ${seed.ids.magic} was not delivered: listen to "sendMagicLink"`);
    expect(logs.join('\n')).not.toContain('/passwordless/');
    await bare.close();
  });
});
