// The MFA pages in a real browser (Chromium) with JavaScript off: labels, buttons and redirects are enough.
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serve } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, mfaUser, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
let server: Awaited<ReturnType<typeof serve>>;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
  server = await serve(t.app);
  origin = server.origin;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t.close();
});

async function passwordSteps(page: Page, username: string) {
  await page.goto(`${origin}/accounts/login/?next=/private`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('MFA in a browser without JavaScript', () => {
  it('TOTP enrollment, recovery codes, then a later login by code and by recovery code', async () => {
    await mfaUser(t, 'bianca');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await passwordSteps(page, 'bianca');
    expect(new URL(page.url()).pathname).toBe('/accounts/enroll/');
    await page.getByRole('button', { name: 'Use an authenticator app' }).click();
    expect(new URL(page.url()).pathname).toBe('/accounts/enroll-totp/');
    await expect(page.getByRole('img', { name: /QR code to add bianca@example.test at Acme MFA/ }).isVisible()).resolves.toBe(true);
    const secret = (await page.locator('code.ewl-secret').innerText()).replace(/\s/g, '');
    await page.getByLabel('Enter the 6-digit code the app shows').fill(totpCode(t, secret));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).locator('code').allInnerTexts();
    expect(codes).toHaveLength(10);
    await page.getByRole('button', { name: 'I have saved my codes, continue' }).click();
    expect(await page.locator('body').innerText()).toBe('private for bianca');

    t.clock.advance(30_000);
    const later = await browser.newContext({ javaScriptEnabled: false });
    const second = await later.newPage();
    await passwordSteps(second, 'bianca');
    expect(new URL(second.url()).pathname).toBe('/accounts/verify/');
    await second.getByLabel('6-digit code').fill(totpCode(t, secret));
    await second.getByRole('button', { name: 'Verify', exact: true }).click();
    expect(await second.locator('body').innerText()).toBe('private for bianca');

    const third = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await passwordSteps(third, 'bianca');
    // <details> opens without JavaScript.
    await third.getByText('Lost your phone? Use a recovery code').click();
    await third.getByLabel('Recovery code').fill(codes[0]!);
    await third.getByRole('button', { name: 'Use recovery code' }).click();
    expect(await third.locator('body').innerText()).toBe('private for bianca');
    await context.close();
    await later.close();
  });

  it('SMS enrollment with a validation message, then the code from the outbox', async () => {
    await mfaUser(t, 'carmen');
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await passwordSteps(page, 'carmen');
    await page.getByRole('link', { name: 'Use text messages (SMS)' }).click();
    await page.getByLabel('Mobile phone number').fill('555 0100');
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('international format');
    await expect(page.getByLabel('Mobile phone number').inputValue()).resolves.toBe('555 0100');
    await page.getByLabel('Mobile phone number').fill('+1 500 555 0006');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('6-digit code').fill(t.emulator.outbox.latest('+15005550006')!.code!);
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await page.getByRole('button', { name: 'I have saved my codes, continue' }).click();
    expect(await page.locator('body').innerText()).toBe('private for carmen');
  });
});
