// Hosts override pages by putting templates of the same name in their own `templateDirs`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, type TestApp } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let full: TestApp;
let logoOnly: TestApp;
const dirs: string[] = [];

function templateDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ewl-views-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'registration'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'registration', name), text);
  return dir;
}

beforeAll(async () => {
  db = await createTestDb();
  await createUser(db.prisma, { username: 'quinn', password: PASSWORD });
  const loginOverride = templateDir({
    'login.html': [
      '{% extends "registration/base_login.html" %}',
      '{% block before_form %}<p id="host-before">Welcome to Acme{% if step == "password" %}, {{ username }}{% endif %}</p>{% endblock %}',
      '{% block after_form %}<p id="host-after">Need help? Call 555-0100</p>{% endblock %}',
    ].join('\n'),
  });
  const logo = templateDir({ 'logo.html': '<img src="/static/acme.svg" alt="Acme Corp">' });
  full = await createTestApp({ db, config: { templateDirs: [loginOverride], notice: 'Emulator <b>mode</b>' } });
  logoOnly = await createTestApp({ db, config: { templateDirs: [logo] } });
});
afterAll(async () => {
  await db.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('template overrides', () => {
  it('renders a host login.html that extends base_login.html and fills before_form/after_form', async () => {
    const res = await full.agent().get('/accounts/login/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<p id="host-before">Welcome to Acme</p>');
    expect(res.text).toContain('<p id="host-after">Need help? Call 555-0100</p>');
    // The library's form is still there, between the two blocks.
    expect(res.text.indexOf('host-before')).toBeLessThan(res.text.indexOf('name="username"'));
    expect(res.text.indexOf('name="username"')).toBeLessThan(res.text.indexOf('host-after'));
    expect(res.text).toContain('name="_csrf"');
  });

  it('keeps autoescape on in host templates', async () => {
    // Threat (item 2): a host template echoes the typed username unescaped.
    const agent = full.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: '<i>x</i>' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<p id="host-before">Welcome to Acme, &lt;i&gt;x&lt;/i&gt;</p>');
    expect(res.text).not.toContain('<i>x</i>');
  });

  it('renders the configured notice escaped on every page', async () => {
    // Threat (item 2): markup in a configured notice is rendered as HTML.
    const res = await full.agent().get('/accounts/password_reset/');
    expect(res.text).toContain('<p class="ewl-notice" role="note">Emulator &lt;b&gt;mode&lt;/b&gt;</p>');
  });

  it('uses a host logo.html alone with the library login page', async () => {
    const res = await logoOnly.agent().get('/accounts/login/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div class="ewl-logo"><img src="/static/acme.svg" alt="Acme Corp"></div>');
    expect(res.text).not.toContain('ewl-logo-text');
    expect(res.text).toContain('<label for="id_username">Username or email</label>');
    expect(res.text).not.toContain('host-before');
  });

  it('shows the host logo on the other pages too', async () => {
    const res = await logoOnly.agent().get('/accounts/logout/');
    expect(res.text).toContain('<img src="/static/acme.svg" alt="Acme Corp">');
    expect(res.text).toContain('You are not logged in.');
  });
});
