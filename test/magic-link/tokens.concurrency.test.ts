// Using one link from two requests at once: exactly one session logs in (item 40).
import type { Server } from 'node:http';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { magicLinkTokenStore } from '../../src/db/tokens.ts';
import { MagicLinkTokens } from '../../src/magic-link/tokens.ts';
import { createTestApp, csrfFrom, type TestApp, type WorkosTestApp } from '../support/app.ts';
import { askAtLogin, landingPath, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

describe('concurrent consumption', () => {
  let local: TestApp;
  let localSeed: MagicSeed;
  let workos: WorkosTestApp;
  let server: Server;
  beforeAll(async () => {
    [local, workos] = await Promise.all([
      createTestApp({ config: magicConfig('local') }),
      createTestApp({ emulator: true, config: magicConfig('workos') }),
    ]);
    [localSeed] = await Promise.all([seedMagicUsers(local), seedMagicUsers(workos)]);
    server = await new Promise<Server>((resolve) => {
      const s = local.app.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await local.close();
    await workos.close();
  });

  it('local: four browsers POST the same token at once; one logs in, the others are refused', async () => {
    // Threat (item 40): a race turns one single-use link into two sessions.
    for (let round = 0; round < 3; round++) {
      await askAtLogin(local.agent(), 'mia');
      const path = await landingPath(linksFor(local, localSeed.ids.magic).at(-1)!);
      const token = new URL(path, 'http://x').searchParams.get('token')!;
      // One listening server, so the four POSTs really arrive together (supertest would otherwise start a server per request).
      const agents = [0, 1, 2, 3].map(() => supertest.agent(server));
      const pages = await Promise.all(agents.map((a) => a.get(path)));
      const before = local.events.of('login').length;
      const results = await Promise.all(agents.map((a, i) => a.post('/accounts/callback/magic/').type('form').send({ _csrf: csrfFrom(pages[i]!.text), token })));
      expect(results.map((r) => r.status).sort()).toEqual([303, 400, 400, 400]);
      expect(local.events.of('login')).toHaveLength(before + 1);
      const loggedIn = await Promise.all(agents.map(async (a) => (await a.get('/private')).status === 200));
      expect(loggedIn.filter(Boolean)).toHaveLength(1);
    }
  });

  it('the store: three requests that all passed the checks race to use the token; exactly one wins', async () => {
    // Threat (item 40): a check-then-write gap lets two requests each believe they used the token first.
    const tokens = new MagicLinkTokens(magicLinkTokenStore(local.prisma)!, () => local.clock.now);
    const { token } = await tokens.issue(localSeed.ids.magic, localSeed.rules.magic, '/', 600);
    const seen = await Promise.all([tokens.findUsable(token), tokens.findUsable(token), tokens.findUsable(token)]);
    expect(seen.every((row) => row !== null)).toBe(true);
    const won = await Promise.all(seen.map((row) => tokens.consume(row!)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await tokens.findUsable(token)).toBeNull();
  });

  it('WorkOS: two POSTs of the same code and state in one session; one logs in', async () => {
    // Threat (item 40): a double-submitted confirmation page logs in twice.
    const agent = workos.agent();
    await askAtLogin(agent, 'mia');
    const path = await landingPath(workos.emulator.outbox.latest('Mia@Magic.test')!.link!);
    const page = await agent.get(path);
    const fields = { ...Object.fromEntries(new URL(path, 'http://x').searchParams), _csrf: csrfFrom(page.text) };
    const before = workos.events.of('login').length;
    const results = await Promise.all([0, 1].map(() => agent.post('/accounts/callback/magic/').type('form').send(fields)));
    expect(results.map((r) => r.status).sort()).toEqual([303, 400]);
    expect(workos.events.of('login')).toHaveLength(before + 1);
  });
});
