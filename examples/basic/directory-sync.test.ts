// The README's deprovisioning walk-through on the example app, as at `npm start`: alice logs in by SSO, then the
// emulator's Directory Sync page deprovisions her (its "Deprovision (delete)" button posts the form below); the
// signed dsync.user.deleted reaches the app's webhook route, her session ends and she cannot log in again.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom } from '../../test/support/app.ts';
import { DEMO_WEBHOOK_SECRET, startDemo, type Demo } from './test-support.ts';

let demo: Demo;
let server: Server;
beforeAll(async () => {
  demo = await startDemo({ emulator: true });
  server = await new Promise<Server>((resolve) => {
    const s = demo.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  // server.ts does the same with the app's base URL.
  demo.emulator!.directory.addWebhookEndpoint({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/accounts/webhooks/workos/`, secret: DEMO_WEBHOOK_SECRET });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await demo.close();
});

async function ssoLogin(email: string) {
  const agent = demo.agent();
  const form = await agent.get('/accounts/login/');
  const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(form.text), username: email });
  const callback = new URL(await demo.emulator!.idp.signIn(step2.headers.location!, { email }));
  const res = await agent.get(callback.pathname + callback.search);
  return { agent, res };
}

describe('example app: deprovisioning from the emulator\'s Directory Sync page', () => {
  it('the page lists Foo Corp\'s directory; "Deprovision (delete)" logs alice out for good', async () => {
    const { agent, res } = await ssoLogin('alice@foo-corp.com');
    expect(res.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).status).toBe(200);

    const emulatorUrl = demo.emulator!.url;
    const page = await (await fetch(`${emulatorUrl}/_emulator/directory`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('Foo Corp Okta SCIM');
    expect(page).toContain('data-user="alice@foo-corp.com"');
    // The button's form, as the browser posts it.
    const sent = await fetch(`${emulatorUrl}/_emulator/directory/events`, {
      method: 'POST',
      body: new URLSearchParams({ directoryId: 'directory_foo_corp', user: 'foo-alice', event: 'dsync.user.deleted' }),
    });
    expect(await sent.text()).toContain('Sent <code>dsync.user.deleted</code>');
    expect(demo.emulator!.webhooks.deliveries().at(-1)).toMatchObject({ event: 'dsync.user.deleted', status: 200, response: '{"ok":true,"outcome":"deactivated"}' });

    expect((await agent.get('/accounts/profile/')).status).toBe(303);
    const again = await ssoLogin('alice@foo-corp.com');
    expect(again.res.status).toBe(403);
    expect(again.res.text).toContain('Your account is disabled.');
    // The emulator's traffic log shows the SSO calls the app made.
    expect(demo.emulator!.requests.list({ path: '/sso/token' }).map((r) => r.status)).toEqual([200, 200]);
  });

  it('a new hire created in the directory gets an account before their first login, in the mapped group', async () => {
    await demo.emulator!.directorySync.send({ event: 'dsync.user.created', directoryId: 'directory_foo_corp', user: { idpId: 'foo-cleo', email: 'cleo@foo-corp.com', firstName: 'Cleo', rawAttributes: { organization_name: 'Foo Corp', title: 'Engineer' } } });
    await demo.emulator!.directorySync.send({ event: 'dsync.group.user_added', directoryId: 'directory_foo_corp', user: 'cleo@foo-corp.com', group: 'Engineering' });
    const cleo = await demo.db.prisma.user.findFirstOrThrow({ where: { email: 'cleo@foo-corp.com' }, include: { groups: true, profile: true } });
    expect(cleo.groups.map((g) => g.name).sort()).toEqual(['Foo Corp', 'Foo Corp Engineering']);
    expect(cleo.profile).toMatchObject({ organizationName: 'Foo Corp', title: 'Engineer' });
  });
});
