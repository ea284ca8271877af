// The admin in a real browser (Chromium, JavaScript off): an admin creates an SSO rule, meets a validation error and
// fixes it, previews whom the rule catches, saves it; then, in a second browser, a user the rule applies to logs in
// and is sent to that rule's method (the identity provider of the rule's organization). Screenshots of each step
// are saved under test-output/admin.browser/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serve } from '../support/browser.ts';
import { createTestApp, createUser, PASSWORD, type WorkosTestApp } from '../support/app.ts';

const SHOTS = join(import.meta.dirname, '../../test-output/admin.browser');

let t: WorkosTestApp;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp({ emulator: true, config: { admin: { enabled: true } } });
  const admin = await createUser(t.prisma, { username: 'admin', email: 'admin@corp.test' });
  await t.prisma.user.update({ where: { id: admin.id }, data: { isStaff: true } });
  await createUser(t.prisma, { username: 'gina', email: 'gina@globex.test', password: null });
  await createUser(t.prisma, { username: 'paul', email: 'paul@corp.test' });
  server = await serve(t.app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe('the admin in a browser', () => {
  it('create a rule, see an error and fix it, preview, save; then its user logs in and is sent to its method', async () => {
    const admin = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await admin.goto(`${server.origin}/accounts/admin/`);
    // Not logged in: the normal login page, which comes back to the admin.
    expect(new URL(admin.url()).pathname).toBe('/accounts/login/');
    await admin.getByLabel('Username or email').fill('admin');
    await admin.getByRole('button', { name: 'Continue' }).click();
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Log in' }).click();
    expect(new URL(admin.url()).pathname).toBe('/accounts/admin/');
    await expect(admin.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Login rules');
    await shot(admin, '1-rules');

    await admin.getByRole('link', { name: 'Add a rule' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('Globex SSO');
    await admin.getByLabel('Login method').selectOption('sso');
    await admin.getByLabel('Priority').fill('50');
    await admin.getByLabel('Email regex').fill('@globex\\.test$');
    await admin.getByRole('button', { name: 'Save' }).click();

    // Refused: the summary names the field and links to it; the field says why; what was typed is kept.
    const summary = admin.getByRole('alert').filter({ hasText: 'There is a problem' });
    await expect(summary.innerText()).resolves.toContain('WorkOS connection id: the sso method needs a connection id or an organization id');
    await expect(summary.getByRole('link').getAttribute('href')).resolves.toBe('#id_connectionId');
    const connection = admin.getByLabel('WorkOS connection id');
    await expect(connection.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(admin.locator('#id_connectionId_error1').innerText()).resolves.toBe('the sso method needs a connection id or an organization id');
    await expect(admin.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Globex SSO');
    await expect(admin.getByLabel('Login method').inputValue()).resolves.toBe('sso');
    await expect(admin.getByLabel('Email regex').inputValue()).resolves.toBe('@globex\\.test$');
    await shot(admin, '2-validation-error');
    expect(await t.prisma.loginRule.count({ where: { name: 'Globex SSO' } })).toBe(0);

    // Fixed, then previewed: gina (and only gina) would log in with it.
    await admin.getByLabel('WorkOS organization id').fill('org_globex');
    await admin.getByRole('button', { name: 'Preview' }).click();
    const preview = admin.getByRole('region', { name: 'Preview (not saved)' });
    await expect(preview.innerText()).resolves.toContain('1 of 3 active users would log in with this rule.');
    await expect(preview.getByRole('row', { name: /gina/ }).innerText()).resolves.toMatch(/gina\s+gina@globex\.test\s+Username\/password login/);
    await expect(admin.getByRole('alert').count()).resolves.toBe(0);
    await shot(admin, '3-preview');
    expect(await t.prisma.loginRule.count({ where: { name: 'Globex SSO' } })).toBe(0);

    await admin.getByRole('button', { name: 'Save' }).click();
    expect(new URL(admin.url()).pathname).toBe('/accounts/admin/');
    await expect(admin.getByText('The rule "Globex SSO" was saved.').isVisible()).resolves.toBe(true);
    const row = admin.getByRole('row', { name: /Globex SSO/ });
    await expect(row.innerText()).resolves.toMatch(/50\s+Globex SSO\s+sso\s+email ~ \/@globex\\\.test\$\/\s+1/);
    await shot(admin, '4-saved');

    // A second browser: gina logs in and is sent to her new rule's method, the Globex identity provider.
    const gina = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await gina.goto(`${server.origin}/accounts/login/`);
    await gina.getByLabel('Username or email').fill('gina');
    await gina.getByRole('button', { name: 'Continue' }).click();
    expect(new URL(gina.url()).origin).toBe(t.emulator.url);
    expect(new URL(gina.url()).searchParams.get('organization')).toBe('org_globex');
    await expect(gina.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Sign in with Globex SAML');
    await shot(gina, '5-user-sent-to-sso');

    // Someone the rule does not apply to still gets the password form.
    const paul = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await paul.goto(`${server.origin}/accounts/login/`);
    await paul.getByLabel('Username or email').fill('paul');
    await paul.getByRole('button', { name: 'Continue' }).click();
    await expect(paul.getByLabel('Password').isVisible()).resolves.toBe(true);
  });
});
