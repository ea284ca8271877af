// docs/mfa.md stays true: every TypeScript block is a slice of mfa.examples.test.ts (which runs them) and the
// recovery codes look as described (the settings table is checked by settings.test.ts).
import { describe, expect, it } from 'vitest';
import { RECOVERY_CODE_COUNT, newRecoveryCodes } from '../../src/mfa/recovery-codes.ts';
import { docBlocks, docText, isSliceOf } from './support.ts';

const doc = docText('docs/mfa.md');

describe('docs/mfa.md', () => {
  it('every TypeScript block is a slice of mfa.examples.test.ts', () => {
    const blocks = docBlocks('docs/mfa.md').filter((b) => b.lang === 'ts');
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(isSliceOf(block, 'test/docs/mfa.examples.test.ts'), block.code.slice(0, 80)).toBe(true);
  });

  it('the recovery codes look as described', () => {
    expect(doc).toContain('ten recovery codes');
    expect(RECOVERY_CODE_COUNT).toBe(10);
    expect(doc).toMatch(/codes like `[A-Z2-7]{5}-[A-Z2-7]{5}`/);
    expect(newRecoveryCodes(1)[0]).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
  });
});
