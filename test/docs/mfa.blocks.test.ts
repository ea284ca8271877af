// The README's MFA section stays true: every TypeScript block is a slice of a test that runs, the settings table gives the
// real defaults, and the error texts it relies on exist.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeSection } from '../support/readme.ts';
import { parseConfig } from '../../src/config.ts';
import { RECOVERY_CODE_COUNT, newRecoveryCodes } from '../../src/mfa/recovery-codes.ts';

const root = resolve(import.meta.dirname, '../..');
const doc = readmeSection('MFA: password + WorkOS TOTP or SMS');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === 'node_modules' || d.name === 'data') return [];
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('README: MFA', () => {
  it('every TypeScript block is a slice of a test file', () => {
    const flat = (text: string) => text.split('\n').map((l) => l.trim()).join('\n');
    const sources = [...sourceFiles(join(root, 'test')), ...sourceFiles(join(root, 'examples'))].map((f) => flat(readFileSync(f, 'utf8')));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(sources.some((s) => s.includes(flat(block))), block.slice(0, 80)).toBe(true);
  });

  it('the settings table gives the real defaults', () => {
    const fakePrisma = { $transaction() {}, user: {}, group: {}, loginRule: {}, mfaFactor: {}, ssoIdentity: {}, passwordResetToken: {} };
    const config = parseConfig({ prisma: fakePrisma, baseUrl: 'https://app.example.com' }, {});
    const rows = [...doc.matchAll(/^\| `mfa\.(\w+)` \| `([^`]+)` \|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.map(([key]) => key).sort()).toEqual(Object.keys(config.mfa).sort());
    for (const [key, text] of rows) {
      const literal = text.replace(/(\w+):/g, '"$1":');
      expect(JSON.parse(literal), key).toEqual(config.mfa[key as keyof typeof config.mfa]);
    }
    expect(doc).toContain(`| \`smsMfaTemplate\` | \`${config.smsMfaTemplate as string}\` |`);
  });

  it('the recovery codes look as described', () => {
    expect(doc).toContain('ten recovery codes');
    expect(RECOVERY_CODE_COUNT).toBe(10);
    expect(doc).toMatch(/codes like `[A-Z2-7]{5}-[A-Z2-7]{5}`/);
    expect(newRecoveryCodes(1)[0]).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
  });
});
