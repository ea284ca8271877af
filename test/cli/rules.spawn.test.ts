// `express-workos-login rules …` run as a real process against this file's real database (SQLite, or PostgreSQL in
// the PostgreSQL pass), found the way the host's Prisma finds it. Each command: its text output, `--json`, and clear
// errors with a non-zero exit; changes go through the same validation as the app and are audited on stderr.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulesDocument, StoredRule } from '../../src/index.ts';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';
import { cli, json } from './support.ts';

let t: TestApp;
const dir = mkdtempSync(join(tmpdir(), 'ewl-cli-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const rule = (name: string) => t.prisma.loginRule.findUnique({ where: { name } });

beforeAll(async () => {
  t = await createTestApp({ rules: [{ name: 'Staff MFA', method: 'mfa', priority: 10, totpOrganizationName: 'Acme', lookupAttributes: { isStaff: true } }] });
  for (const name of ['ann', 'bob']) await createUser(t.prisma, { username: name, email: `${name}@acme.test` });
  await createUser(t.prisma, { username: 'cleo', email: 'cleo@other.test' });
});
afterAll(() => t.close());

// Each command is a new Node process that loads the library and Prisma (about 2 s of CPU): generous timeouts.
describe('rules', { timeout: 180_000 }, () => {
  it('list: every rule in priority order with its users; --json', async () => {
    const text = await cli(t.db, ['rules', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^#\d+\t10\tStaff MFA\tmfa\twhere \{"isStaff":true\}\t0 user\(s\)$/),
      expect.stringMatching(/^#\d+\t1000\tUsername\/password login\tpassword\temail ~ \/\.\*\/\t3 user\(s\)$/),
      '3 active user(s), 0 with no rule',
    ]);
    const listed = json<{ rules: { name: string; users: number }[]; activeUsers: number }>(await cli(t.db, ['rules', 'list', '--json']));
    expect(listed.rules.map((r) => [r.name, r.users])).toEqual([['Staff MFA', 0], ['Username/password login', 3]]);
    expect(listed.activeUsers).toBe(3);
  });

  it('add: refused with each field named and exit 1 (nothing saved); then created, with the warning and an audit line', async () => {
    const refused = await cli(t.db, ['rules', 'add', '--name', 'Acme SSO', '--method', 'sso', '--priority', '20', '--email-regex', '@acme\\.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: the rule is not valid:\n  connectionId: the sso method needs a connection id or an organization id');
    expect(await rule('Acme SSO')).toBeNull();
    const created = await cli(t.db, ['rules', 'add', '--name', 'Acme SSO', '--method', 'sso', '--priority', '20', '--email-regex', '@acme\\.test', '--organization-id', 'org_acme', '--allow-idp-initiated', 'true']);
    expect(created.code).toBe(0);
    const saved = (await rule('Acme SSO'))!;
    expect(created.stdout).toBe(`Created rule #${saved.id} "Acme SSO" (sso, priority 20).\n`);
    expect(created.stderr).toMatch(/warning: emailRegex: \/[^/]+\/ does not end with \$/);
    expect(created.stderr).toMatch(new RegExp(`audit: rule\\.create rule #${saved.id} "Acme SSO" by cli:\\S+ at \\d{4}-`));
    expect(saved).toMatchObject({ method: 'sso', organizationId: 'org_acme', allowIdpInitiated: true, emailRegex: '@acme\\.test' });
  });

  it('add --file, with options over the file; a field option that is not a value of its kind is a usage error', async () => {
    const draft = file('magic.json', { name: 'Other magic', method: 'magic', priority: 30, emailRegex: '@other\\.test$', enabled: true });
    const res = await cli(t.db, ['rules', 'add', '--file', draft, '--enabled', 'false', '--json']);
    expect(res.code).toBe(0);
    expect(json<{ rule: StoredRule }>(res).rule.rule).toMatchObject({ name: 'Other magic', enabled: false, method: 'magic' });
    const usage = await cli(t.db, ['rules', 'add', '--priority', 'ten']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^--priority: must be a whole number, not "ten"\n\nUsage: express-workos-login rules add/);
  });

  it('show: every field, labelled; --json; an unknown id is a clear error', async () => {
    const id = (await rule('Acme SSO'))!.id;
    const text = await cli(t.db, ['rules', 'show', String(id)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Rule #${id} "Acme SSO"\n  Name: Acme SSO\n  Login method: sso\n  Priority: 20\n`);
    expect(text.stdout).toContain('  WorkOS organization id: org_acme\n');
    expect(text.stdout).toContain('  Allow IdP-initiated login: true\n');
    expect(json<StoredRule>(await cli(t.db, ['rules', 'show', String(id), '--json']))).toMatchObject({ id, rule: { name: 'Acme SSO' }, issues: null });
    const missing = await cli(t.db, ['rules', 'show', '99999', '--json']);
    expect(missing.code).toBe(1);
    expect(json(missing)).toEqual({ error: { code: 'target_not_found', message: 'no rule has id 99999' } });
    expect(missing.stderr).toBe('error: no rule has id 99999\n');
    expect((await cli(t.db, ['rules', 'show', 'abc'])).code).toBe(2);
  });

  it('edit: only the given fields change; an edit that breaks the rule is refused', async () => {
    const id = (await rule('Acme SSO'))!.id;
    const res = await cli(t.db, ['rules', 'edit', String(id), '--email-regex', '@acme\\.test$']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`Updated rule #${id} "Acme SSO".\n`);
    expect(res.stderr).not.toContain('warning');
    expect(res.stderr).toContain('{"before":{"emailRegex":"@acme\\\\.test"},"after":{"emailRegex":"@acme\\\\.test$"}}');
    expect(await rule('Acme SSO')).toMatchObject({ emailRegex: '@acme\\.test$', organizationId: 'org_acme', allowIdpInitiated: true });
    const refused = await cli(t.db, ['rules', 'edit', String(id), '--method', 'password']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('connectionId: connection and organization ids are only for SSO methods');
    expect((await rule('Acme SSO'))!.method).toBe('sso');
  });

  it('explain and preview', async () => {
    const explained = await cli(t.db, ['rules', 'explain', 'ann@acme.test']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/^Rule #\d+ "Acme SSO" \(sso\): email regex \/@acme\\.test\$\/i matches "ann@acme.test"\nUser #\d+ ann <ann@acme.test>\n/);

    const draft = file('draft.json', { name: 'Everyone magic', method: 'magic', priority: 5, emailRegex: '.*' });
    const preview = await cli(t.db, ['rules', 'preview', '--file', draft]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('3 of 3 active user(s) would log in with this rule.\n');
    expect(preview.stdout).toContain('  2 from "Acme SSO" to "Everyone magic"\n');
    expect(preview.stdout).toMatch(/ {2}#\d+ cleo <cleo@other\.test> \(now: Username\/password login\)/);
    expect(await rule('Everyone magic')).toBeNull();
    const invalid = await cli(t.db, ['rules', 'preview', '--file', draft, '--method', 'mfa']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('  totpOrganizationName: is required for the mfa method');
  });

  it('move: before, after, to; usage errors exit 2', async () => {
    const ids = Object.fromEntries((await t.prisma.loginRule.findMany()).map((r) => [r.name, r.id]));
    const res = await cli(t.db, ['rules', 'move', String(ids['Other magic']), '--before', String(ids['Staff MFA'])]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`Rule #${ids['Other magic']} "Other magic": priority 30 → 0\n`);
    const order = async () => (await t.prisma.loginRule.findMany({ orderBy: { priority: 'asc' } })).map((r) => r.name);
    expect(await order()).toEqual(['Other magic', 'Staff MFA', 'Acme SSO', 'Username/password login']);
    const both = await cli(t.db, ['rules', 'move', '1', '--to', 'top', '--after', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one of --before <id>, --after <id> or --to top|bottom|up|down');
    expect((await cli(t.db, ['rules', 'move', '1', '--to', 'sideways'])).code).toBe(2);
    const missing = await cli(t.db, ['rules', 'move', String(ids['Staff MFA']), '--after', '99999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: no rule has id 99999\n');
  });

  it('export > rules.json, import --dry-run shows the diff and writes nothing, import applies, all or nothing', async () => {
    const exported = await cli(t.db, ['rules', 'export']);
    expect(exported.code).toBe(0);
    const doc = JSON.parse(exported.stdout) as RulesDocument;
    expect(doc.rules.map((r) => r.name)).toEqual(['Other magic', 'Staff MFA', 'Acme SSO', 'Username/password login']);

    const edited = { version: 1, rules: [...doc.rules.filter((r) => r.name !== 'Other magic').map((r) => (r.name === 'Staff MFA' ? { ...r, totpOrganizationName: 'Acme Corp' } : r)), { ...doc.rules[0]!, name: 'Google', method: 'GoogleOAuth', priority: 40, totpOrganizationName: '', lookupAttributes: {}, emailRegex: '@gmail\\.test$' }] };
    const path = file('edited.json', edited);
    const before = readFileSync(path, 'utf8');
    const dry = await cli(t.db, ['rules', 'import', path, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^~ update "Staff MFA" \(#\d+\): totpOrganizationName: "Acme" → "Acme Corp"$/),
      '+ create "Google" (GoogleOAuth, priority 40)',
      expect.stringMatching(/^- delete "Other magic" \(#\d+\)$/),
      '= 2 unchanged',
      'Dry run: nothing was written.',
    ]);
    expect(await rule('Google')).toBeNull();
    expect(await rule('Other magic')).not.toBeNull();

    const bad = { version: 1, rules: [...edited.rules, { name: 'Broken', method: 'mfa', priority: 41, emailRegex: '@b\\.test$' }] };
    const refused = await cli(t.db, ['rules', 'import', file('bad.json', bad)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('  rules.4.totpOrganizationName: is required for the mfa method');
    expect(await rule('Google')).toBeNull();
    expect((await rule('Staff MFA'))!.totpOrganizationName).toBe('Acme');

    const applied = await cli(t.db, ['rules', 'import', '-', '--json'], { stdin: before });
    expect(applied.code).toBe(0);
    expect(json<{ applied: boolean; changes: unknown[] }>(applied)).toMatchObject({ applied: true, changes: [{ action: 'update' }, { action: 'create' }, { action: 'delete' }] });
    expect(applied.stderr.match(/^audit: /gm)).toHaveLength(3);
    expect(await rule('Google')).not.toBeNull();
    expect(await rule('Other magic')).toBeNull();

    const notJson = await cli(t.db, ['rules', 'import', file('notjson.json', '{"version": 1, rules: []}')]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^error: \S+notjson\.json is not valid JSON: .+ \(line 1, column 16\)\n$/);
  });

  it('delete', async () => {
    const id = (await rule('Google'))!.id;
    const res = await cli(t.db, ['rules', 'delete', String(id)]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`Deleted rule #${id} "Google".\n`);
    expect(await rule('Google')).toBeNull();
  });
});

describe('errors a person can act on', { timeout: 180_000 }, () => {
  it('no database URL; a config file that does not exist; an unreachable database', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ewl-cli-empty-'));
    writeFileSync(join(empty, 'package.json'), '{}');
    const env = { DATABASE_URL: '' };
    const noUrl = await cli(null, ['rules', 'list'], { cwd: empty, env });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toBe('error: no database URL: set DATABASE_URL\n');
    const noConfig = await cli(null, ['rules', 'list', '--config', 'nope.config.ts'], { cwd: empty });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/^error: --config: .*nope\.config\.ts does not exist\n$/);
    const down = await cli(null, ['users', 'show', 'ann'], { env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:9/none', PRISMA_PROVIDER: 'postgres' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: the database refused or could not be reached: /);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });

  it('unknown commands exit 2 with usage', async () => {
    const res = await cli(null, ['rules', 'frobnicate']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("Unknown rules command 'frobnicate'.");
    expect(res.stderr).toContain('Usage: express-workos-login rules <command>');
    const stray = await cli(null, ['rules', 'list', '--before', '3']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('rules list does not take --before');
  });
});
