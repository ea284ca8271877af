// docs/security.md lists every item of the security checklist with the tests that cover it; each test file listed
// must name that item in a `Threat:` line, so the table cannot drift from the tests.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const doc = readFileSync(resolve(root, 'docs/security.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Checklist coverage'), doc.indexOf('## What we fixed from django-workos'));
const rows = [...section.matchAll(/^\| (\d+) \| .+ \| (.*) \|$/gm)].map((m) => ({ item: Number(m[1]), files: [...m[2]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!) }));

/** The checklist items a file's `Threat:` lines name: "item 6", "items 16, 17", "items 43 and 53". */
function namedItems(text: string): Set<number> {
  const named = new Set<number>();
  for (const line of text.split('\n').filter((l) => l.includes('Threat'))) {
    for (const m of line.matchAll(/\bitems?\s+((?:\d+(?:\s*(?:,|and|&|\/)\s*)?)+)/g)) for (const n of m[1]!.match(/\d+/g) ?? []) named.add(Number(n));
  }
  return named;
}

describe('docs/security.md checklist coverage', () => {
  it('lists the 53 items of the checklist, in order', () => {
    expect(rows.map((r) => r.item)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
  });

  it('names at least one test for every item, and each test names its item in a Threat line', () => {
    for (const { item, files } of rows) {
      expect({ item, files: files.length > 0 }).toEqual({ item, files: true });
      for (const file of files) {
        expect(existsSync(resolve(root, file))).toBe(true);
        expect({ item, file, named: namedItems(readFileSync(resolve(root, file), 'utf8')).has(item) }).toEqual({ item, file, named: true });
      }
    }
  });
});
