// Every code block of the README is exercised: TypeScript blocks are slices of files that run in tests,
// JSON blocks are valid rule attributes, the HTML block is a working template override, and the shell
// blocks only name scripts that exist.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workosLogin, type WorkosLoginConfig } from '../../src/index.ts';
import { parseRuleInput } from '../../src/core/rules.ts';
import { seedDemo } from '../../examples/basic/seed.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { readmeSection } from '../support/readme.ts';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = (lang: string, text = readme) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!.trim());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === 'node_modules' || d.name === 'data') return [];
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDemo(t.prisma as never, t.login.rules);
});
afterAll(() => t.close());

describe('README', () => {
  it('every TypeScript block is a slice of a file that the test suite runs', () => {
    // Indentation may differ (a block can sit inside a test function); everything else must match.
    const flat = (text: string) => text.split('\n').map((l) => l.trim()).join('\n');
    const sources = [...sourceFiles(join(root, 'examples')), ...sourceFiles(join(root, 'test'))].map((f) => flat(readFileSync(f, 'utf8')));
    const ts = blocks('ts');
    expect(ts.length).toBeGreaterThanOrEqual(3);
    for (const block of ts) expect(sources.some((s) => s.includes(flat(block))), block.slice(0, 80)).toBe(true);
  });

  it('the one-line mount works as shown', async () => {
    const config = { prisma: t.prisma, baseUrl: 'http://localhost:3000', bcryptCost: 4 } satisfies WorkosLoginConfig;
    const app = express();
    app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
    app.use('/accounts', workosLogin(config));
    const res = await supertest(app).get('/accounts/login/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="username"');
  });

  it('explain() answers as the README says', async () => {
    const login = t.login;
    const { rule, reason } = await login.explain('alice@foo-corp.com');
    // rule?.name === 'Foo Corp SAML' (a JIT rule: alice has no account yet)
    expect(rule?.name).toBe('Foo Corp SAML');
    expect(reason).toContain('@foo-corp');
  });

  it('every JSON block of "Login rules" is a valid lookup filter on the real user model', async () => {
    // (The SSO section's saved-attribute examples are provisioned through the emulator in test/sso/docs.examples.test.ts.)
    const json = blocks('json', readmeSection('Login rules'));
    expect(json.length).toBeGreaterThanOrEqual(3);
    for (const [i, text] of json.entries()) {
      const input = { name: `readme ${i}`, method: 'password' as const, priority: 500 + i, lookupAttributes: JSON.parse(text) as Record<string, unknown> };
      expect(parseRuleInput(input).ok).toBe(true);
      await expect(t.login.rules.validate(input)).resolves.toBeTruthy();
    }
  });

  it('the HTML block is a working login.html override', async () => {
    const [html] = blocks('html');
    const dir = mkdtempSync(join(tmpdir(), 'ewl-readme-'));
    mkdirSync(join(dir, 'registration'));
    writeFileSync(join(dir, 'registration', 'login.html'), html!);
    const custom = await createTestApp({ db: t.db, config: { templateDirs: [dir] } });
    const page = await custom.agent().get('/accounts/login/');
    expect(page.text).toContain('Welcome back! Please enter your username below.');
    expect(page.text).toContain('<a href="/signup">Sign up here</a>');
    expect(page.text).toContain('name="username"');
  });

  it('shell blocks only use npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    for (const block of blocks('sh')) {
      for (const m of block.matchAll(/npm (?:run )?([\w:-]+)/g)) {
        const name = m[1]!;
        if (name === 'install') continue;
        expect(scripts, `npm ${name}`).toContain(name);
      }
    }
  });
});
