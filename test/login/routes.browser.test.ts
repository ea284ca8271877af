// The login pages in a real browser (Chromium), with and without JavaScript.
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serve } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, type TestApp } from '../support/app.ts';

let t: TestApp;
let server: Awaited<ReturnType<typeof serve>>;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'trent', password: PASSWORD });
  server = await serve(t.app);
  origin = server.origin;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t.close();
});

async function logIn(page: Page, js: boolean) {
  await page.getByLabel('Username or email').fill('trent');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password').waitFor();
  expect(await page.getByLabel('Username').inputValue()).toBe('trent');
  // autofocus puts the cursor in the password field (asked through page script, so only with JavaScript on).
  // Chromium applies autofocus at its next rendering opportunity, which can come after the field is visible.
  if (js) await page.waitForFunction("document.activeElement && document.activeElement.id === 'id_password'", undefined, { timeout: 5000 });
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('in a browser', () => {
  it('logs in through both steps with JavaScript', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/accounts/login/`);
    expect(await page.title()).toBe('Log in');
    await logIn(page, true);
    await page.waitForURL(`${origin}/accounts/profile/`);
    expect(await page.textContent('body')).toBe('profile of trent');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'connect.sid')?.httpOnly).toBe(true);
    await context.close();
  });

  it('logs in through both steps without JavaScript, and comes back to next', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/private`);
    expect(page.url()).toBe(`${origin}/accounts/login/?next=%2Fprivate`);
    await logIn(page, false);
    await page.waitForURL(`${origin}/private`);
    expect(await page.textContent('body')).toBe('private for trent');
    await context.close();
  });

  it('shows the generic error after a wrong password, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/accounts/login/?username=trent&start=true`);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Please enter a correct username and password.');
    expect(await page.getByLabel('Username').inputValue()).toBe('trent');
    await context.close();
  });
});
