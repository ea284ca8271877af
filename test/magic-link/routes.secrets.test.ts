// Magic-link URLs, tokens and codes appear only in the sendMagicLink payload: never in a log line or another event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrf, csrfFrom, type TestApp, type WorkosTestApp } from '../support/app.ts';
import { askAtLogin, askByForm, confirm, landingPath, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

describe('secrets stay out of logs and events', () => {
  let local: TestApp;
  let localSeed: MagicSeed;
  let workos: WorkosTestApp;
  beforeAll(async () => {
    [local, workos] = await Promise.all([
      createTestApp({ config: magicConfig('local') }),
      createTestApp({ emulator: { timeoutMs: 300 }, config: magicConfig('workos') }),
    ]);
    [localSeed] = await Promise.all([seedMagicUsers(local), seedMagicUsers(workos)]);
  });
  afterAll(async () => {
    await local.close();
    await workos.close();
  });

  function assertClean(t: TestApp, secrets: string[]) {
    const logs = t.logs.join('\n');
    const otherEvents = JSON.stringify(t.events.all.filter((e) => e.name !== 'sendMagicLink'));
    for (const s of secrets) {
      expect(logs).not.toContain(s);
      expect(otherEvents).not.toContain(s);
    }
  }

  it('local provider: link and token, through use, reuse and a refused rule', async () => {
    // Threat (items 41, 53): login URLs copied into log storage become reusable keys for whoever reads the logs.
    await askAtLogin(local.agent(), 'mia');
    const link = linksFor(local, localSeed.ids.magic).at(-1)!;
    const path = await landingPath(link);
    const token = new URL(link).searchParams.get('token')!;
    await confirm(local.agent(), path);
    const again = local.agent();
    expect((await again.get(path)).status).toBe(400);
    const reuse = await again.post('/accounts/callback/magic/').type('form').send({ _csrf: await csrf(again), token });
    expect(reuse.status).toBe(400);
    await askByForm(local.agent(), 'pat');
    expect(local.events.all.length).toBeGreaterThan(3);
    assertClean(local, [link, token, encodeURIComponent(token)]);
  });

  it('WorkOS provider: link, code and state, through use and an upstream failure', async () => {
    // Threat (items 41, 53): as above, and SDK errors must not drag request bodies into the log.
    const agent = workos.agent();
    await askAtLogin(agent, 'mia');
    const link = workos.emulator.outbox.latest('Mia@Magic.test')!.link!;
    const path = await landingPath(link);
    const params = new URL(path, 'http://x').searchParams;
    const page = await agent.get(path);
    workos.emulator.faults.inject({ method: 'POST', path: '/sso/token', status: 500 });
    const failed = await agent.post('/accounts/callback/magic/').type('form').send({ code: params.get('code')!, state: params.get('state')!, _csrf: csrfFrom(page.text) });
    expect(failed.status).toBe(503);
    await askAtLogin(agent, 'mia');
    const second = workos.emulator.outbox.latest('Mia@Magic.test')!.link!;
    const secondPath = await landingPath(second);
    expect((await confirm(agent, secondPath)).status).toBe(303);
    expect(workos.logs.length).toBeGreaterThan(0);
    const secondParams = new URL(secondPath, 'http://x').searchParams;
    assertClean(workos, [link, second, params.get('code')!, params.get('state')!, secondParams.get('code')!, secondParams.get('state')!]);
  });
});
