// The documentation (README.md and docs/*.md) as the doc tests see it: its text, its fenced code blocks, and the
// registry of checks that cover those blocks. A doc test takes its blocks from `blocksFor(check)`, so the
// coverage test (blocks.test.ts) knows every block is checked without running the other files.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { configSchema, parseConfig, type ResolvedConfig } from '../../src/config.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

/** README.md, then every page under docs/, as paths relative to the repository root. */
export const DOC_FILES: readonly string[] = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

const texts = new Map<string, string>();
export function docText(file: string): string {
  let text = texts.get(file);
  if (text === undefined) texts.set(file, (text = readFileSync(join(ROOT, file), 'utf8')));
  return text;
}

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string (`ts`, `json`, …); empty when the fence names none. */
  lang: string;
  /** The lines between the fences, without the list indentation the fence itself has. */
  code: string;
  /** The nearest heading above the block. */
  heading: string;
  /** The reason given by a `<!-- not-code: reason -->` comment on the line before the fence. */
  exemption?: string;
}

/** Every fenced code block of `file`, or of every documentation file. */
export function docBlocks(file?: string): DocBlock[] {
  if (file === undefined) return DOC_FILES.flatMap((f) => docBlocks(f));
  const lines = docText(file).split('\n');
  const blocks: DocBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]!);
    if (!open) {
      if (/^#{1,6} /.test(lines[i]!)) heading = lines[i]!.replace(/^#+ /, '');
      continue;
    }
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,${indent!.length + 3}}${fence![0]}{${fence!.length},}\\s*$`).test(lines[j]!)) {
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!.trimStart());
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a code fence that is never closed`);
    const before = lines.slice(0, i).findLast((l) => l.trim() !== '')?.trim() ?? '';
    const exemption = /^<!-- not-code: (.+?) -->$/.exec(before)?.[1]?.trim();
    blocks.push({ file, line: i + 1, lang: lang!, code: body.join('\n'), heading, ...(exemption && { exemption }) });
    i = j;
  }
  return blocks;
}

/** The text of `file` from the heading that starts with `title` up to the next heading of the same or a higher level. */
export function docSection(file: string, title: string): string {
  const text = docText(file);
  const start = new RegExp(`^(#+) ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm').exec(text);
  if (!start) throw new Error(`${file} has no heading starting with "${title}"`);
  const level = start[1]!.length;
  const rest = text.slice(start.index + start[0].length);
  const end = new RegExp(`^#{1,${level}} `, 'm').exec(rest);
  return text.slice(start.index, end ? start.index + start[0].length + end.index : undefined);
}

/** Lines compared with indentation ignored: a block may sit inside a test function. */
export const flat = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .trim();

/** The `.ts` files under `dir` (recursively), without dependencies and generated data. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === 'node_modules' || d.name === 'data') return [];
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Whether `block` appears, indentation aside, in the file at `path` (relative to the repository root). */
export function isSliceOf(block: DocBlock, path: string): boolean {
  return flat(readFileSync(join(ROOT, path), 'utf8')).includes(flat(block.code));
}

/** Where a TypeScript block may come from: code the suite runs and `npm run typecheck` checks. */
export const TS_SOURCE_DIRS = ['test/docs', 'examples', 'test/methods'] as const;

export interface BlockCheck {
  /** The test file that runs the check; it gets its blocks with `blocksFor('<name>')`. */
  test: string;
  /** What the check proves about a block. */
  proves: string;
  covers(block: DocBlock): boolean;
}

const is = (file: string, lang: string) => (b: DocBlock) => b.file === file && b.lang === lang;

/** How each kind of fenced block is kept true. Every block must be covered by one of these, or be exempt. */
export const BLOCK_CHECKS = {
  typescript: {
    test: 'test/docs/blocks.test.ts',
    proves: `it is a slice of a doc test, an example or the method-contract example (${TS_SOURCE_DIRS.join(', ')}), which the suite runs and type-checks`,
    covers: (b) => b.lang === 'ts',
  },
  shell: {
    test: 'test/docs/blocks.test.ts',
    proves: 'every command, npm script, package, file and environment variable it names exists',
    covers: (b) => b.lang === 'sh',
  },
  emulatorCli: {
    test: 'test/docs/emulator.test.ts',
    proves: 'the command runs and prints exactly these lines',
    covers: is('docs/emulator.md', 'console'),
  },
  emulatorDirectory: {
    test: 'test/docs/emulator.test.ts',
    proves: 'the emulator starts from this directory and serves what it lists',
    covers: is('docs/emulator.md', 'json'),
  },
  lookupAttributes: {
    test: 'test/docs/login-rules.test.ts',
    proves: 'it is a valid lookup filter on the real user model',
    covers: is('docs/login-rules.md', 'json'),
  },
  savedAttributes: {
    test: 'test/docs/sso-and-jit.test.ts',
    proves: 'it provisions a user through the emulator as described',
    covers: is('docs/sso-and-jit.md', 'json'),
  },
  initCli: {
    test: 'test/setup/init.test.ts',
    proves: 'init prints exactly these lines on the test host of test/package/ (whose app then logs in)',
    covers: is('docs/prisma.md', 'console'),
  },
  prismaSchema: {
    test: 'test/setup/init.test.ts',
    proves: 'it is a slice of the schema of the test host of test/package/, which init extends and the package test migrates',
    covers: (b) => b.lang === 'prisma',
  },
  rulesDocument: {
    test: 'test/docs/cli.test.ts',
    proves: 'it is a valid rules document: a dry-run import finds no error and creates what it lists',
    covers: is('docs/cli.md', 'json'),
  },
  templateOverride: {
    test: 'test/docs/login-pages.test.ts',
    proves: 'it is a working template override',
    covers: is('docs/login-pages.md', 'html'),
  },
} satisfies Record<string, BlockCheck>;

export type BlockCheckName = keyof typeof BLOCK_CHECKS;

/** The blocks a check covers: what its test file must check, each one. */
export function blocksFor(name: BlockCheckName): DocBlock[] {
  const check: BlockCheck = BLOCK_CHECKS[name];
  return docBlocks().filter((b) => check.covers(b));
}

/** A default as the tables write it: `true`, `600`, `[]`, `{ isActive: true }`, `'memory'` or bare text such as `email`. */
export function parseLiteral(text: string): unknown {
  try {
    return JSON.parse(text.replace(/'/g, '"').replace(/(\w+):/g, '"$1":'));
  } catch {
    return text;
  }
}

/** A client that passes the config's shape check: enough to read the real defaults. */
export const FAKE_PRISMA = { $transaction() {}, user: {}, group: {}, loginRule: {}, mfaFactor: {}, ssoIdentity: {}, passwordResetToken: {} };

/** The validated config with every default, as `workosLogin({ prisma, baseUrl })` sees it without WorkOS keys. */
export const DEFAULT_CONFIG: Readonly<ResolvedConfig> = parseConfig({ prisma: FAKE_PRISMA, baseUrl: 'https://app.example.com' }, {});

/** The zod object behind a config key, with its `.default()` / `.prefault()` / `.optional()` wrappers taken off. */
function unwrapped(key: string): z.ZodType | undefined {
  let schema = (configSchema.shape as Record<string, z.ZodType>)[key];
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
  return schema;
}

/** The top-level config keys that are sections (objects of settings). */
export const configSections = (): string[] => Object.keys(configSchema.shape).filter((key) => unwrapped(key) instanceof z.ZodObject);

/** Every key a config section accepts, optional ones included. */
export function sectionKeys(section: string): string[] {
  const schema = unwrapped(section);
  if (!(schema instanceof z.ZodObject)) throw new Error(`config key ${section} is not a section`);
  return Object.keys(schema.shape);
}

/**
 * Where each config section's settings are documented: a table under that heading whose rows are
 * `| \`section.key\` | default | meaning |`. The README's row for the section links to `file#anchor`.
 * (`workos` is described in the README's own row.)
 */
export const SETTINGS_PAGES = {
  password: { file: 'docs/security.md', heading: 'Passwords', anchor: 'passwords' },
  mfa: { file: 'docs/mfa.md', heading: 'Settings', anchor: 'settings' },
  magicLink: { file: 'docs/magic-links.md', heading: 'Settings', anchor: 'settings' },
  sso: { file: 'docs/sso-and-jit.md', heading: 'Settings', anchor: 'settings' },
  session: { file: 'docs/security.md', heading: 'Sessions', anchor: 'sessions' },
  rateLimit: { file: 'docs/security.md', heading: 'Throttling', anchor: 'throttling' },
  admin: { file: 'docs/admin.md', heading: 'Settings', anchor: 'settings' },
  database: { file: 'docs/security.md', heading: 'Faults', anchor: 'faults' },
} as const satisfies Partial<Record<keyof ResolvedConfig, { file: string; heading: string; anchor: string }>>;

export type SettingsSection = keyof typeof SETTINGS_PAGES;

/** The rows of a section's settings table: each key with its default cell (a literal when it is one code span). */
export function settingsRows(section: SettingsSection): { key: string; cell: string; literal?: string }[] {
  const { file, heading } = SETTINGS_PAGES[section];
  return [...docSection(file, heading).matchAll(new RegExp(`^\\| \`${section}\\.(\\w+)\` \\| (.+?) \\|`, 'gm'))].map((m) => {
    const literal = /^`([^`]+)`$/.exec(m[2]!)?.[1];
    return { key: m[1]!, cell: m[2]!, ...(literal !== undefined && { literal }) };
  });
}
