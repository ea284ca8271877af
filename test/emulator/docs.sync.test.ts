// docs/emulator.md shows test/emulator/readme-example.test.ts verbatim, so the documented example is the
// one that runs here.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

it('the example in docs/emulator.md is the example test, minus its first comment line', () => {
  const doc = read('docs/emulator.md');
  const marker = doc.indexOf('(`test/emulator/readme-example.test.ts`):');
  expect(marker).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(doc.slice(marker))?.[1];
  const test = read('test/emulator/readme-example.test.ts');
  expect(block).toBe(test.slice(test.indexOf('\n') + 1));
});
