// Every fenced code block of README.md and docs/*.md is checked: each is covered by a check of BLOCK_CHECKS (whose
// test file takes exactly those blocks) or carries a `<!-- not-code: reason -->` exemption, which only non-code
// such as a transcript may use. The TypeScript and shell checks run here.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_CHECKS, blocksFor, docBlocks, flat, ROOT, sourceFiles, TS_SOURCE_DIRS, type BlockCheck, type BlockCheckName } from './support.ts';

const checks = Object.entries(BLOCK_CHECKS) as [BlockCheckName, BlockCheck][];
const where = (b: { file: string; line: number }) => `${b.file}:${b.line}`;

describe('every fenced code block is checked', () => {
  it('each block is covered by a check or exempt as non-code', () => {
    const blocks = docBlocks();
    expect(blocks.length).toBeGreaterThan(20);
    const unchecked = blocks.filter((b) => !b.exemption && !checks.some(([, c]) => c.covers(b)));
    expect(unchecked.map((b) => `${where(b)} (${b.lang || 'no language'})`), 'add a check to BLOCK_CHECKS or a <!-- not-code: reason --> comment').toEqual([]);
  });

  it('exemptions are rare and never hide code', () => {
    const exempt = docBlocks().filter((b) => b.exemption);
    expect(exempt.length).toBeLessThanOrEqual(3);
    for (const b of exempt) expect(['', 'text', 'console'], `${where(b)} is ${b.lang}: check it instead`).toContain(b.lang);
  });

  it.each(checks)('the %s check has blocks and its test file takes them', (name, check) => {
    expect(blocksFor(name).length, `no block is covered by ${name}`).toBeGreaterThan(0);
    expect(existsSync(join(ROOT, check.test)), check.test).toBe(true);
    expect(readFileSync(join(ROOT, check.test), 'utf8')).toContain(`blocksFor('${name}')`);
  });
});

describe('TypeScript blocks', () => {
  // Doc tests, examples and the method-contract example run in the suite and are type-checked by `npm run typecheck`;
  // a block that is a slice of one of them (indentation aside) is code that compiles and runs as shown.
  const sources = TS_SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir))).map((f) => ({
    path: relative(ROOT, f),
    text: flat(readFileSync(f, 'utf8')),
  }));

  it.each(blocksFor('typescript').map((b) => [where(b), b] as const))('%s is a slice of a doc test, an example or the contract example', (_, block) => {
    expect(sources.filter((s) => s.text.includes(flat(block.code))).map((s) => s.path)).not.toEqual([]);
  });
});

describe('shell blocks', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    bin: Record<string, string>;
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  const packages = new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies })]);
  const repoSources = ['src', 'test', 'examples', 'scripts'].flatMap((dir) => sourceFiles(join(ROOT, dir))).map((f) => readFileSync(f, 'utf8'));
  const mjs = readFileSync(join(ROOT, 'scripts/prisma.mjs'), 'utf8');

  /** Why a command names something that does not exist, or undefined when it is fine. */
  function problem(command: string): string | undefined {
    const words = command.trim().split(/\s+/);
    while (/^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
      const variable = words.shift()!.split('=')[0]!;
      if (![...repoSources, mjs].some((s) => s.includes(variable))) return `${variable} is read nowhere`;
    }
    const [program, sub, ...args] = words;
    if (program === 'npm' && sub === 'install') return args.filter((a) => !a.startsWith('-') && !packages.has(a)).map((a) => `${a} is not a dependency`)[0];
    if (program === 'npm' && sub === 'run') return args[0] && args[0] in pkg.scripts ? undefined : `no npm script ${args[0]}`;
    if (program === 'npm') return sub && ['test', 'start'].includes(sub) && sub in pkg.scripts ? undefined : `no npm script ${sub}`;
    if (program === 'npx') return sub && (sub in pkg.bin || existsSync(join(ROOT, 'node_modules/.bin', sub))) ? undefined : `no binary ${sub}`;
    if (program === 'node') return sub && existsSync(join(ROOT, sub)) ? undefined : `no file ${sub}`;
    return `unknown program ${program}`;
  }

  it.each(blocksFor('shell').map((b) => [where(b), b] as const))('%s names only what exists', (_, block) => {
    const commands = block.code
      .split('\n')
      .map((line) => line.replace(/\s#.*$/, '').trim())
      .filter(Boolean)
      .flatMap((line) => line.split('&&'));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.map((c) => [c.trim(), problem(c)]).filter(([, p]) => p)).toEqual([]);
  });
});
