// The admin's rule pages over real HTTP: the list in priority order with user counts and reorder buttons, the form
// grouped from the method modules' field declarations, per-field errors that keep what was typed (linked to their
// fields), warnings, the preview, save, delete with confirmation, the "which rule applies" box and the export.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, csrfFrom, PASSWORD, passwordLogin, type Agent, type TestApp } from '../support/app.ts';

const ADMIN = '/accounts/admin/';
let t: TestApp;
let agent: Agent;
let token: string;

beforeAll(async () => {
  t = await createTestApp({
    config: { admin: { enabled: true } },
    rules: [
      { name: 'Staff MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { isSuperuser: true } },
      { name: 'Acme magic <b>', method: 'magic', priority: 20, emailRegex: '@acme\\.test$' },
    ],
  });
  await t.prisma.group.create({ data: { name: 'Eng' } });
  const admin = await createUser(t.prisma, { username: 'admin', email: 'admin@corp.test' });
  await t.prisma.user.update({ where: { id: admin.id }, data: { isStaff: true } });
  for (const name of ['ann', 'bob']) await createUser(t.prisma, { username: name, email: `${name}@acme.test` });
  await createUser(t.prisma, { username: 'sue', email: 'sue@corp.test', isSuperuser: true });
  agent = t.agent();
  await passwordLogin(agent, 'admin', PASSWORD);
  token = csrfFrom((await agent.get(`${ADMIN}rules/new/`)).text);
});
afterAll(() => t.close());

const post = (path: string, fields: Record<string, string>) => agent.post(path).type('form').send({ _csrf: token, ...fields });
const rowsOf = (html: string) => [...html.matchAll(/<tr id="rule-(\d+)"[\s\S]*?<\/tr>/g)].map((m) => m[0]);
/** Text as the browser shows it (Nunjucks escapes <, >, &, quotes and backslashes). */
const decode = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#92;/g, '\\').replace(/&amp;/g, '&');
const cells = (row: string) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => decode(m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim()));

/** A new-rule form as a browser posts it: every field, unchecked boxes left out. */
function newRule(fields: Record<string, string>): Record<string, string> {
  return { name: '', method: 'password', priority: '', enabled: 'on', emailRegex: '', lookupAttributes: '', connectionId: '', organizationId: '', jitCreation: 'off', jitGroups: '', savedAttributes: '', totpOrganizationName: '', ...fields };
}

describe('the rule list', () => {
  it('in priority order, with method, targets, how many users each has, and reorder buttons', async () => {
    const page = await agent.get(ADMIN);
    expect(page.status).toBe(200);
    const rows = rowsOf(page.text).map(cells);
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      ['10', 'Staff MFA', 'mfa', 'where {"isSuperuser":true}', '1'],
      ['20', 'Acme magic <b>', 'magic', 'email ~ /@acme\\.test$/', '2'],
      ['1000', 'Username/password login', 'password', 'email ~ /.*/', '1'],
    ]);
    // Escaped, never markup.
    expect(page.text).toContain('Acme magic &lt;b&gt;');
    // The first rule cannot go up; the last cannot go down.
    expect(rowsOf(page.text)[0]).toMatch(/<button type="submit" class="ewl-small-button" disabled aria-label="Up: Staff MFA">/);
    expect(rowsOf(page.text)[2]).toMatch(/disabled aria-label="Down: Username\/password login"/);
    expect(page.text).toContain('4 active user(s)');
  });

  it('up, down and to top reorder the rules', async () => {
    const ids = (html: string) => rowsOf(html).map((r) => cells(r)[1]);
    const magic = (await t.login.rules.list()).find((r) => r.method === 'magic')!;
    const res = await post(`${ADMIN}rules/${magic.id}/move/`, { to: 'up' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${ADMIN}#rule-${magic.id}`);
    expect(ids((await agent.get(ADMIN)).text)).toEqual(['Acme magic <b>', 'Staff MFA', 'Username/password login']);
    await post(`${ADMIN}rules/${magic.id}/move/`, { to: 'down' });
    expect(ids((await agent.get(ADMIN)).text)).toEqual(['Staff MFA', 'Acme magic <b>', 'Username/password login']);
    const fallback = (await t.login.rules.list()).find((r) => r.priority === 1000)!;
    await post(`${ADMIN}rules/${fallback.id}/move/`, { to: 'top' });
    expect(ids((await agent.get(ADMIN)).text)).toEqual(['Username/password login', 'Staff MFA', 'Acme magic <b>']);
    await post(`${ADMIN}rules/${fallback.id}/move/`, { to: 'bottom' }).then((r) => expect(r.status).toBe(400));
    await t.login.rules.move(fallback.id, { to: 'bottom' });
  });

  it('a broken rule is listed with what is wrong', async () => {
    const row = await t.prisma.loginRule.create({ data: { name: 'Broken', method: 'mfa', priority: 500, emailRegex: '@x\\.test$' } });
    t.login.rules.invalidate();
    const page = await agent.get(ADMIN);
    expect(page.text).toContain('Broken, every login that reaches it is refused: totpOrganizationName: is required for the mfa method');
    await t.prisma.loginRule.delete({ where: { id: row.id } });
    t.login.rules.invalidate();
  });
});

describe('the rule form', () => {
  it('is grouped like the Django admin, from the modules\' declarations, with labels, help and the methods by their names', async () => {
    const page = await agent.get(`${ADMIN}rules/new/`);
    expect([...page.text.matchAll(/<legend>([^<]+)<\/legend>/g)].map((m) => m[1])).toEqual([
      'Rule',
      'Who it applies to',
      'SSO options',
      'Just-in-time accounts and saved attributes',
      'MFA options',
    ]);
    expect(page.text).toContain('Used by: sso, GoogleOAuth, MicrosoftOAuth.');
    expect(page.text).toContain('Used by: mfa.');
    for (const [id, label] of [
      ['name', 'Name'],
      ['method', 'Login method'],
      ['connectionId', 'WorkOS connection id'],
      ['totpOrganizationName', 'Issuer name in authenticator apps'],
      ['savedAttributes', 'Saved attributes (JSON)'],
      ['allowIdpInitiated', 'Allow IdP-initiated login'],
    ]) {
      expect(page.text).toContain(`<label for="id_${id}">${label}</label>`);
      expect(page.text).toMatch(new RegExp(`id="id_${id}" name="${id}"`));
    }
    expect(page.text).toContain('<option value="GoogleOAuth">SSO: Google (GoogleOAuth)</option>');
    expect(page.text).toContain('<option value="password" selected>Password (password)</option>');
    expect(page.text).toMatch(/id="id_enabled" name="enabled" value="on" checked/);
    expect(page.text).toContain('aria-describedby="id_priority_hint"');
    // A free priority is suggested.
    const suggested = Number(/id="id_priority" name="priority" type="text" value="(\d+)"/.exec(page.text)![1]);
    expect((await t.login.rules.list()).map((r) => r.priority)).not.toContain(suggested);
  });

  it('errors: a summary linking to each field, the message at the field, and everything typed kept', async () => {
    const before = await t.prisma.loginRule.count();
    const res = await post(
      `${ADMIN}rules/new/`,
      newRule({
        action: 'save',
        name: 'Acme SSO <script>',
        method: 'sso',
        priority: 'ten',
        emailRegex: '@acme\\.test',
        savedAttributes: '{\n  "firstName": "{{profile.first_name}}",\n  "shoeSize": "{{profile.id}}"\n}',
        jitGroups: 'Eng, Nope',
        jitCreation: 'attributes',
      }),
    );
    expect(res.status).toBe(400);
    expect(await t.prisma.loginRule.count()).toBe(before);
    const summary = /<div class="ewl-error-summary" role="alert"[\s\S]*?<\/div>/.exec(res.text)![0];
    expect(summary).toContain('<a href="#id_priority">Priority: must be a whole number, not &quot;ten&quot;</a>');
    expect(summary).toContain('<a href="#id_connectionId">WorkOS connection id: the sso method needs a connection id or an organization id</a>');
    expect(summary).toContain('There are 2 problems');
    // The field says it too, and points to it.
    expect(res.text).toMatch(/<p class="ewl-field-error" id="id_priority_error1">must be a whole number, not &quot;ten&quot;<\/p>/);
    expect(res.text).toMatch(/id="id_priority" name="priority" type="text" value="ten" inputmode="numeric" spellcheck="false" aria-describedby="id_priority_error1 id_priority_hint" aria-invalid="true"/);
    // What was typed is back in the boxes.
    expect(res.text).toContain('value="Acme SSO &lt;script&gt;"');
    expect(res.text).toContain('<option value="sso" selected>');
    expect(decode(res.text)).toContain('"shoeSize": "{{profile.id}}"');
    expect(res.text).toContain('value="Eng, Nope"');
    // The unanchored regex is a warning, apart.
    expect(res.text).toMatch(/<div class="ewl-warnings" role="status"[\s\S]*Email regex: \/@[^/]*\/ does not end with \$/);
    expect(res.text).toContain('id="id_emailRegex_warning1"');
  });

  it('saved attributes: broken JSON names the line and column; a key that is not on the model is named', async () => {
    const broken = await post(`${ADMIN}rules/new/`, newRule({ action: 'save', name: 'JSON', method: 'sso', priority: '31', organizationId: 'org_acme', emailRegex: '@j\\.test$', savedAttributes: '{\n  "firstName": "x",\n  oops\n}' }));
    expect(broken.status).toBe(400);
    expect(broken.text).toMatch(/<a href="#id_savedAttributes">Saved attributes \(JSON\): is not valid JSON: [^<]*\(line 3, column 3\)<\/a>/);
    const unknown = await post(`${ADMIN}rules/new/`, newRule({ action: 'save', name: 'JSON', method: 'sso', priority: '31', organizationId: 'org_acme', emailRegex: '@j\\.test$', jitCreation: 'attributes', jitGroups: 'Eng, Nope', savedAttributes: '{"profile": {"shoeSize": "x"}}' }));
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/<a href="#id_savedAttributes">Saved attributes \(JSON\): &quot;profile(\.shoeSize)?&quot;: [^<]+<\/a>/);
    expect(unknown.text).toContain('<a href="#id_jitGroups">Groups of new users: unknown group(s): Nope</a>');
  });

  it('preview: how many users it would catch and who, without saving; then save, audited as the admin', async () => {
    const fields = newRule({ name: 'Acme SSO', method: 'sso', priority: '5', emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
    const preview = await post(`${ADMIN}rules/new/`, { ...fields, action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('<strong>2</strong> of 4 active users would log in with this rule.');
    expect(preview.text).toContain('<li>2 from “Acme magic &lt;b&gt;” to “Acme SSO”</li>');
    expect(preview.text).toMatch(/<tr><td>ann<\/td><td>ann@acme.test<\/td><td>Acme magic &lt;b&gt;<\/td><\/tr>/);
    expect(preview.text).toContain('value="Acme SSO"');
    expect(await t.prisma.loginRule.count({ where: { name: 'Acme SSO' } })).toBe(0);

    const saved = await post(`${ADMIN}rules/new/`, { ...fields, action: 'save' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(ADMIN);
    expect((await agent.get(ADMIN)).text).toContain('The rule &quot;Acme SSO&quot; was saved.');
    expect((await t.login.explain('ann')).rule?.name).toBe('Acme SSO');
    const event = t.events.of('adminChange').at(-1)!;
    expect(event).toMatchObject({ action: 'rule.create', actor: { type: 'user', username: 'admin' }, target: { name: 'Acme SSO' }, after: { organizationId: 'org_acme', priority: 5 } });
  });

  it('a saved rule with a warning says so on the list', async () => {
    const res = await post(`${ADMIN}rules/new/`, newRule({ action: 'save', name: 'Loose', priority: '6', emailRegex: '@loose\\.test' }));
    expect(res.status).toBe(303);
    expect((await agent.get(ADMIN)).text).toMatch(/Warning about emailRegex: \/[^/]+\/ does not end with \$/);
  });

  it('editing shows the stored values; an unchecked box turns the field off; a taken name is refused', async () => {
    const rule = (await t.login.rules.list()).find((r) => r.name === 'Loose')!;
    const page = await agent.get(`${ADMIN}rules/${rule.id}/`);
    expect(page.text).toContain('Edit the rule “Loose”');
    expect(decode(page.text)).toContain('value="@loose\\.test"');
    const taken = await post(`${ADMIN}rules/${rule.id}/`, newRule({ action: 'save', name: 'Staff MFA', priority: '6', emailRegex: '@loose\\.test$' }));
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('<a href="#id_name">Name: a rule named &quot;Staff MFA&quot; already exists</a>');
    const { enabled: _off, ...withoutEnabled } = newRule({ action: 'save', name: 'Loose', priority: '6', emailRegex: '@loose\\.test$' });
    const saved = await post(`${ADMIN}rules/${rule.id}/`, withoutEnabled);
    expect(saved.status).toBe(303);
    expect(await t.login.rules.show(rule.id)).toMatchObject({ rule: { enabled: false, emailRegex: '@loose\\.test$' } });
    expect(t.events.of('adminChange').at(-1)).toMatchObject({ action: 'rule.update', before: { enabled: true, emailRegex: '@loose\\.test' }, after: { enabled: false, emailRegex: '@loose\\.test$' } });
  });

  it("linking by email is a choice of yes, no and the method's default (null), kept apart from no", async () => {
    const rule = (await t.login.rules.list()).find((r) => r.name === 'Acme SSO')!;
    const page = await agent.get(`${ADMIN}rules/${rule.id}/`);
    expect(page.text).toMatch(/<select id="id_linkExistingByEmail" name="linkExistingByEmail"[^>]*>\s*<option value="" selected>The method&#39;s default<\/option><option value="true">Yes<\/option><option value="false">No<\/option>/);
    const fields = newRule({ action: 'save', name: 'Acme SSO', method: 'sso', priority: String(rule.priority), emailRegex: rule.emailRegex, organizationId: 'org_acme' });
    expect((await post(`${ADMIN}rules/${rule.id}/`, { ...fields, linkExistingByEmail: 'false' })).status).toBe(303);
    expect((await t.login.rules.show(rule.id)).rule.linkExistingByEmail).toBe(false);
    expect((await agent.get(`${ADMIN}rules/${rule.id}/`)).text).toContain('<option value="false" selected>No</option>');
    expect((await post(`${ADMIN}rules/${rule.id}/`, { ...fields, linkExistingByEmail: '' })).status).toBe(303);
    expect((await t.login.rules.show(rule.id)).rule.linkExistingByEmail).toBeNull();
  });

  it('unknown rules are the not-found page', async () => {
    expect((await agent.get(`${ADMIN}rules/99999/`)).status).toBe(404);
    expect((await agent.get(`${ADMIN}rules/abc/`)).status).toBe(404);
    expect((await post(`${ADMIN}rules/99999/delete/`, {})).status).toBe(404);
  });
});

describe('delete, explain, export', () => {
  it('delete asks first, saying how many users the rule has', async () => {
    const rule = (await t.login.rules.list()).find((r) => r.name === 'Loose')!;
    const confirm = await agent.get(`${ADMIN}rules/${rule.id}/delete/`);
    expect(confirm.text).toContain('Delete the rule “Loose”?');
    expect(confirm.text).toContain('0 active user(s) log in with this rule now');
    expect(await t.prisma.loginRule.count({ where: { id: rule.id } })).toBe(1);
    expect((await post(`${ADMIN}rules/${rule.id}/delete/`, {})).status).toBe(303);
    expect(await t.prisma.loginRule.count({ where: { id: rule.id } })).toBe(0);
  });

  it('"which rule applies to…" shows the rule, why, and every rule tried', async () => {
    const res = await agent.get(`${ADMIN}explain/?username=bob`);
    expect(res.text).toContain('<h2 id="answer">“Acme SSO” (sso)</h2>');
    expect(decode(res.text)).toContain('email regex /@acme\\.test$/i matches "bob@acme.test"');
    expect(res.text).toMatch(/<tr><td>Acme SSO<\/td><td>yes<\/td>/);
    const unknown = await agent.get(`${ADMIN}explain/?username=${encodeURIComponent('<nobody>')}`);
    expect(unknown.text).toContain('“&lt;nobody&gt;” is not an active user.');
  });

  it('export is the JSON document, as a download', async () => {
    const res = await agent.get(`${ADMIN}rules.json`);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="login-rules.json"');
    expect(JSON.parse(res.text)).toEqual(await t.login.rules.export());
  });
});

describe('templates', () => {
  it('are overridable like every page (templateDirs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ewl-admin-views-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'registration'));
    writeFileSync(join(dir, 'registration', 'admin_forbidden.html'), '<p>Ask IT for access, {{ user.username }}.</p>');
    const app = await createTestApp({ config: { admin: { enabled: true }, templateDirs: [dir] } });
    try {
      await createUser(app.prisma, { username: 'pete' });
      const a = app.agent();
      await passwordLogin(a, 'pete', PASSWORD);
      const res = await a.get(ADMIN);
      expect(res.status).toBe(403);
      expect(res.text).toBe('<p>Ask IT for access, pete.</p>');
    } finally {
      await app.close();
    }
  });
});
