// docs/login-pages.md stays true: the template block is a working override, every listed route is served, and
// paths the router does not know reach the host's own routes.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { blocksFor, docSection } from './support.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ configure: (app) => app.get('/accounts/profile/', (_req, res) => void res.send('the host profile page')) });
});
afterAll(() => t.close());

describe('docs/login-pages.md', () => {
  it('the HTML block is a working login.html override', async () => {
    const [block, ...others] = blocksFor('templateOverride');
    expect(others).toEqual([]);
    expect(docSection('docs/login-pages.md', 'Templates')).toContain('for example `registration/login.html`');
    const dir = mkdtempSync(join(tmpdir(), 'ewl-docs-'));
    mkdirSync(join(dir, 'registration'));
    writeFileSync(join(dir, 'registration', 'login.html'), block!.code);
    const custom = await createTestApp({ db: t.db, config: { templateDirs: [dir] } });
    const page = await custom.agent().get('/accounts/login/');
    expect(page.text).toContain('Welcome back! Please enter your username below.');
    expect(page.text).toContain('<a href="/signup">Sign up here</a>');
    expect(page.text).toContain('name="username"');
  });

  it('every listed route is served under the mount point, and unknown paths fall through to the host', async () => {
    const listed = [...docSection('docs/login-pages.md', 'Routes').matchAll(/`(\w[\w./:-]*\/|static\/[\w.-]+)`/g)].map((m) => m[1]!);
    expect(listed).toHaveLength(19);
    const agent = t.agent();
    for (const route of listed) {
      const res = await agent.get(`/accounts/${route.replace(':token', 'not-a-token')}`);
      expect(res.status, route).not.toBe(404);
    }
    expect((await agent.get('/accounts/profile/')).text).toBe('the host profile page');
    expect((await agent.get('/accounts/no-such-page/')).status).toBe(404);
  });
});
