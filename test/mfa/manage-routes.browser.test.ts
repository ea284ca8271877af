// Threat (checklist item 31): the own-factor page only works with JavaScript, or its two buttons do the wrong thing.
// In Chromium with JavaScript off, a user replaces their authenticator app after a current code and lands back on
// mfa/ logged in; another removes theirs after the password.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, type WorkosTestApp } from '../support/app.ts';
import { launchChromium, serve } from '../support/browser.ts';
import { MFA_RULE, enrollTotpUser, mfaUser, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
  server = await serve(t.app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t.close();
});

async function logIn(page: Page, username: string, secret: string) {
  await page.goto(`${server.origin}/accounts/login/?next=/accounts/mfa/`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('6-digit code').fill(totpCode(t, secret));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  expect(new URL(page.url()).pathname).toBe('/accounts/mfa/');
}

describe('mfa/ in a browser without JavaScript', () => {
  it('replace: a current code, the usual enrollment, and back to mfa/ with the new factor', async () => {
    const user = await mfaUser(t, 'delia');
    const { secret } = await enrollTotpUser(t, 'delia');
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await logIn(page, 'delia', secret);
    t.clock.advance(30_000);
    await expect(page.getByRole('button', { name: 'Remove two-step verification' }).count()).resolves.toBe(0);
    await page.getByLabel('or a 6-digit code').fill(totpCode(t, secret));
    await page.getByRole('button', { name: 'Replace this factor' }).click();
    expect(new URL(page.url()).pathname).toBe('/accounts/enroll/');
    await page.getByRole('button', { name: 'Use an authenticator app' }).click();
    const fresh = (await page.locator('code.ewl-secret').innerText()).replace(/\s/g, '');
    expect(fresh).not.toBe(secret);
    await page.getByLabel('Enter the 6-digit code the app shows').fill(totpCode(t, fresh));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await page.getByRole('button', { name: 'I have saved my codes, continue' }).click();
    expect(new URL(page.url()).pathname).toBe('/accounts/mfa/');
    await expect(page.getByRole('list', { name: 'Your second factor' }).innerText()).resolves.toMatch(/^An authenticator app, added /);
    const factors = await t.prisma.mfaFactor.findMany({ where: { userId: user.id } });
    expect(factors).toHaveLength(1);
    expect(t.events.of('mfaChanged').map((e) => [e.user.username, e.action, e.via])).toEqual([['delia', 'replace', 'code']]);
  });

  it('remove: the password, under a rule that does not require MFA', async () => {
    const user = await mfaUser(t, 'emil');
    const { secret } = await enrollTotpUser(t, 'emil');
    await t.prisma.user.update({ where: { id: user.id }, data: { groups: { set: [] } } });
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await logIn(page, 'emil', secret);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Remove two-step verification' }).click();
    expect(new URL(page.url()).pathname).toBe('/accounts/mfa/');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Two-step verification was removed from your account.');
    await expect(page.locator('main').innerText()).resolves.toContain('Two-step verification is not set up for your account.');
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);
  });
});
