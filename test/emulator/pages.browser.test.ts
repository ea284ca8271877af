// The mock IdP page and the outbox page in a real browser (Debian's Chromium through playwright-core).
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { type Harness, startDemo } from './support.ts';

let h: Harness;
let browser: Browser;
let app: Server;
let appUrl: string;
const received: URLSearchParams[] = [];

beforeAll(async () => {
  // The application's callback: records what the browser brought and shows it.
  app = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app.local');
    const params = url.searchParams;
    if (url.pathname === '/callback') received.push(params);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<p id="code">${params.get('code') ?? ''}</p><p id="state">${params.get('state') ?? ''}</p>`);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
  [h, browser] = await Promise.all([
    startDemo({ redirectUris: [appUrl] }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await h?.emulator.close();
  await new Promise((resolve) => app.close(resolve));
});

it('clicking a user on the mock IdP page lands on the app callback with code and state', async () => {
  const page = await browser.newPage();
  const url = h.workos.sso.getAuthorizationUrl({ organization: 'org_foo_corp', clientId: h.emulator.clientId, redirectUri: appUrl, state: 'browser-state', loginHint: 'alice@foo-corp.com' });
  await page.goto(url);
  expect(await page.title()).toContain('Sign in');
  // login_hint pre-selects Alice: her button has focus.
  expect(await page.locator(':focus').textContent()).toContain('alice@foo-corp.com');
  await page.getByRole('button', { name: /Alice Anderson/ }).click();
  await page.waitForURL((u) => u.toString().startsWith(appUrl));
  expect(await page.locator('#state').textContent()).toBe('browser-state');
  const code = await page.locator('#code').textContent();
  expect(received.at(-1)?.get('code')).toBe(code);
  const { profile } = await h.workos.sso.getProfileAndToken({ code: code!, clientId: h.emulator.clientId });
  expect(profile).toMatchObject({ email: 'alice@foo-corp.com', organizationId: 'org_foo_corp' });
  await page.close();
});

it('the outbox page shows an SMS code a person can read and type in', async () => {
  const factor = await h.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' });
  const challenge = await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
  const page = await browser.newPage();
  await page.goto(`${h.emulator.url}/_emulator/outbox.html`);
  const row = page.locator('tr[data-to="+15005550006"]').first();
  expect(await row.locator('pre').textContent()).toMatch(/^Your code is \d{6}$/);
  const code = (await row.locator('code.otp').textContent())!;
  expect((await h.workos.mfa.verifyChallenge({ authenticationChallengeId: challenge.id, code })).valid).toBe(true);
  await page.close();
});
