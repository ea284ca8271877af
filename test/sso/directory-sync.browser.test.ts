// In a real browser (Chromium): a Magic Auth code typed on the "Check your email" page logs in, and pressing
// "Deprovision (delete)" on the emulator's Directory Sync page ends that person's session in the app; the emulator's
// requests page lists the calls the app made, secrets masked.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, createUser, testDirectory, type WorkosTestApp } from '../support/app.ts';
import { launchChromium, serve } from '../support/browser.ts';

const SECRET = 'whsec_browser';
let t: WorkosTestApp;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
let userId: number;

beforeAll(async () => {
  const directory = testDirectory();
  directory.directories = [{ id: 'directory_acme', organizationId: 'org_acme', name: 'Acme SCIM', users: [{ idpId: 'acme-kim', email: 'kim@acme.test', firstName: 'Kim' }] }];
  t = await createTestApp({ emulator: { directory }, config: { magicLink: { provider: 'workos-magic-auth' }, sso: { webhookSecret: SECRET } } });
  // Kim logs in by Magic Auth code; her account is linked to Acme's directory (an SSO identity in the organization).
  await t.login.rules.create({ name: 'Acme (directory)', method: 'sso', priority: 5, organizationId: 'org_acme', emailRegex: '^$' });
  await t.login.rules.create({ name: 'Codes for acme.test', method: 'magic', priority: 10, emailRegex: '@acme\\.test$' });
  userId = (await createUser(t.prisma, { username: 'kim', email: 'kim@acme.test', password: null })).id;
  await t.prisma.ssoIdentity.create({ data: { userId, scope: 'org:org_acme', idpId: 'acme-kim', profileId: 'prof_kim', connectionId: 'conn_acme_saml', organizationId: 'org_acme' } });
  server = await serve(t.app);
  t.emulator.directory.addWebhookEndpoint({ url: `${server.origin}/accounts/webhooks/workos/`, secret: SECRET });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
});

it('log in with the emailed code, then deprovision from the emulator page: the next click is logged out', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.origin}/accounts/login/?next=%2Fprivate`);
  await page.getByLabel('Username or email').fill('kim');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('6-digit code').waitFor();
  expect(await page.textContent('body')).toContain('we have sent a 6-digit login code');
  await page.getByLabel('6-digit code').fill(t.emulator.outbox.latest('kim@acme.test')!.code!);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.origin}/private`);
  expect(await page.textContent('body')).toBe('private for kim');

  const emulatorPage = await context.newPage();
  await emulatorPage.goto(`${t.emulator.url}/_emulator/directory`);
  await emulatorPage.locator('tr[data-user="kim@acme.test"]').getByRole('button', { name: 'Deprovision (delete)' }).click();
  await emulatorPage.getByRole('status').waitFor();
  expect(await emulatorPage.getByRole('status').textContent()).toContain('Sent dsync.user.deleted');
  expect(await emulatorPage.locator('tr[data-event="dsync.user.deleted"] td').nth(3).textContent()).toBe('200');

  await page.reload();
  expect(page.url()).toBe(`${server.origin}/accounts/login/?next=%2Fprivate`);
  expect((await t.prisma.user.findUniqueOrThrow({ where: { id: userId } })).isActive).toBe(false);

  await emulatorPage.goto(`${t.emulator.url}/_emulator/requests.html`);
  const rows = emulatorPage.locator('tr[data-method]');
  expect(await rows.count()).toBe(2);
  const text = (await emulatorPage.locator('table').first().textContent())!;
  expect(text).toContain('/user_management/authenticate');
  expect(text).toContain('/user_management/magic_auth');
  expect(text).toContain('[masked]');
  expect(text).not.toContain(t.emulator.outbox.latest('kim@acme.test')!.code!);
  await context.close();
});
