// The documentation as a whole: links between README.md and docs/ resolve (files and #anchors), each topic has one
// home (no paragraph or code block is copied between files), the upgrade notes keep their place for the key moves,
// and the package ships the pages with a repository that npm can resolve relative links against.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOC_FILES, docBlocks, docText, ROOT } from './support.ts';

/** The text outside fenced code blocks, with code spans removed (a link in code is no link). */
function prose(file: string): string {
  return docText(file)
    .replace(/^ {0,3}```[\s\S]*?^ {0,3}```/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const text = docText(file).replace(/^ {0,3}```[\s\S]*?^ {0,3}```/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

describe('the documentation', () => {
  it('has the pages the README links to', () => {
    expect(DOC_FILES).toEqual(
      expect.arrayContaining(['README.md', 'docs/mfa.md', 'docs/magic-links.md', 'docs/sso-and-jit.md', 'docs/security.md', 'docs/emulator.md', 'docs/upgrading.md']),
    );
    for (const page of DOC_FILES.filter((f) => f !== 'README.md')) expect(prose('README.md'), page).toContain(`](${page})`);
  });

  it.each(DOC_FILES)('%s: every relative link reaches a file, and every #anchor a heading', (file) => {
    const broken: string[] = [];
    for (const [, target] of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = path === '' ? file : normalize(join(dirname(file), path));
      if (resolved.startsWith('..') || !existsSync(join(ROOT, resolved))) {
        broken.push(`${target}: no file ${resolved}`);
        continue;
      }
      if (anchor !== undefined && !(resolved.endsWith('.md') && anchors(resolved).has(anchor))) broken.push(`${target}: no heading #${anchor} in ${resolved}`);
    }
    expect(broken).toEqual([]);
  });

  it('gives each topic one home: no paragraph line or code block appears in two files', () => {
    const lines = new Map<string, string[]>();
    for (const file of DOC_FILES) {
      for (const line of new Set(prose(file).split('\n').map((l) => l.trim()))) {
        if (line.length < 60 || /^\|[-| ]+\|$/.test(line)) continue;
        lines.set(line, [...(lines.get(line) ?? []), file]);
      }
    }
    expect([...lines].filter(([, files]) => files.length > 1)).toEqual([]);

    const blocks = new Map<string, string[]>();
    for (const block of docBlocks()) blocks.set(block.code.trim(), [...(blocks.get(block.code.trim()) ?? []), `${block.file}:${block.line}`]);
    expect([...blocks].filter(([, at]) => at.length > 1)).toEqual([]);
  });

  it('keeps the emulator documentation in docs/emulator.md only: the README links to it with a short teaser', () => {
    const readme = docText('README.md');
    expect(readme).toContain('](docs/emulator.md)');
    expect(docBlocks('README.md').filter((b) => /createWorkOSEmulator|_emulator\/|express-workos-login emulator --/.test(b.code))).toEqual([]);
    expect(readme).not.toMatch(/^#+ .*emulator/im);
  });

  it('upgrading.md starts with 0.1 → 0.2 and keeps the marked place for the configuration key moves', () => {
    const upgrading = docText('docs/upgrading.md');
    expect(upgrading.match(/^## .+$/m)?.[0]).toBe('## 0.1 → 0.2');
    expect(upgrading).toMatch(/<!-- config-moves -->\n[\s\S]*\n<!-- \/config-moves -->/);
  });

  it('ships with the package, with a repository npm resolves relative links against', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      files: string[];
      repository: { type: string; url: string };
      homepage: string;
      bugs: { url: string };
    };
    expect(pkg.files).toContain('docs');
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/express-workos-login/express-workos-login.git' });
    expect(pkg.homepage).toBe('https://github.com/express-workos-login/express-workos-login#readme');
    expect(pkg.bugs).toEqual({ url: 'https://github.com/express-workos-login/express-workos-login/issues' });
  });
});
