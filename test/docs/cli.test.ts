// docs/cli.md stays true: its rules file is a valid document (a dry-run import finds no error), its command table
// names exactly the CLI's commands, and its examples only use commands and options that exist (each command is run
// as a process by test/cli/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_COMMANDS } from '../../src/cli/rules.ts';
import { USERS_COMMANDS } from '../../src/cli/users.ts';
import { ruleFormFields } from '../../src/core/rule-form.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { BUILTIN_CATALOG } from '../support/catalog.ts';
import { blocksFor, docBlocks, docSection } from './support.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('docs/cli.md', () => {
  it('the rules file is a valid document', async () => {
    const blocks = blocksFor('rulesDocument');
    expect(blocks).toHaveLength(1);
    for (const block of blocks) {
      const result = await t.login.rules.import(JSON.parse(block.code), { dryRun: true });
      expect(result.errors).toEqual([]);
      expect(result.changes.map((c) => [c.action, c.name])).toEqual([
        ['create', 'Staff: password, then MFA'],
        ['create', 'Acme SSO'],
      ]);
      expect(result.unchanged).toEqual(['Username/password login']);
    }
  });

  it('the command table names every command, and only those', () => {
    const table = docSection('docs/cli.md', 'Commands');
    const named = [...table.matchAll(/^\| `([\w-]+(?: [\w-]+)?)/gm)].map((m) => m[1]!);
    expect(named.sort()).toEqual([...RULES_COMMANDS.map((c) => `rules ${c}`), ...USERS_COMMANDS.map((c) => `users ${c}`), 'emulator'].sort());
  });

  it('the examples use commands and field options that exist', () => {
    const options = new Set(['--json', '--help', '--config', '--schema', '--file', '--dry-run', '--before', '--after', '--to', '--id', ...ruleFormFields(BUILTIN_CATALOG).map((f) => `--${f.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)]);
    const lines = docBlocks('docs/cli.md').filter((b) => b.lang === 'sh').flatMap((b) => b.code.split('\n')).filter((l) => l.includes('express-workos-login '));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      const [group, command] = line.split('express-workos-login ')[1]!.split(/\s+/);
      expect(group === 'rules' ? RULES_COMMANDS : USERS_COMMANDS, line).toContain(command);
      for (const option of line.match(/(?<=\s)--[\w-]+/g) ?? []) expect(options.has(option), `${option} in ${line}`).toBe(true);
    }
  });
});
