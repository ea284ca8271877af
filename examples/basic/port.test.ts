// The example as `PORT=… EMULATOR_PORT=… npm start` runs it, on ports other than 3000: SSO (SP- and IdP-initiated)
// and magic links reach this port, typing magic@example.com works, and `npm run demo:reset` empties its data.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom } from '../../test/support/app.ts';
import { freePort } from '../../test/support/loopback.ts';
import { settingsFromEnv, startExample, type RunningExample } from './start.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));


let example: RunningExample;
let dataDir: string;
let port: number;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ewl-example-port-'));
  port = await freePort();
  const settings = settingsFromEnv({ PORT: String(port), EMULATOR_PORT: String(await freePort()), DEMO_DATA_DIR: dataDir });
  expect(settings.baseUrl).toBe(`http://localhost:${port}`);
  example = await startExample(settings, () => {});
}, 60_000);
afterAll(async () => {
  await example?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const onApp = (url: string) => {
  const u = new URL(url);
  expect(u.origin).toBe(`http://localhost:${port}`);
  return u.pathname + u.search;
};

describe(`the example on a port other than 3000`, () => {
  it('SSO: the emulator sends alice back to this port, and she is logged in', async () => {
    const agent = supertest.agent(example.url);
    const form = await agent.get('/accounts/login/');
    const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(form.text), username: 'alice@foo-corp.com' });
    expect(step2.status).toBe(303);
    const back = await agent.get(onApp(await example.emulator!.idp.signIn(step2.headers.location!, { email: 'alice@foo-corp.com' })));
    expect(back.headers.location).toBe('/accounts/profile/');
    const profile = await agent.get('/accounts/profile/');
    expect(profile.text).toContain('Alice Anderson');
    expect(profile.text).not.toContain('Change password'); // an SSO account has no password
  });

  it('IdP-initiated SSO lands on this port', async () => {
    const agent = supertest.agent(example.url);
    const landing = await example.emulator!.idp.initiate({ connectionId: 'conn_foo_corp_saml', email: 'bob@foo-corp.com' });
    expect((await agent.get(onApp(landing))).headers.location).toBe('/accounts/profile/');
  });

  it('magic login: typing magic@example.com sends a Magic Auth code, and typing it on this port logs in', async () => {
    const agent = supertest.agent(example.url);
    const form = await agent.get('/accounts/login/');
    const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(form.text), username: 'magic@example.com' });
    expect(step2.headers.location).toBe('/accounts/complete/');
    const page = await agent.get('/accounts/complete/');
    const mail = example.emulator!.outbox.latest('magic@example.com');
    expect(mail?.kind).toBe('email');
    const done = await agent.post('/accounts/magic/code/').type('form').send({ _csrf: csrfFrom(page.text), code: mail!.code! });
    expect(done.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toContain('Change password'); // magic has a demo password
  });
});

it('npm run demo:reset removes the demo data', () => {
  const other = mkdtempSync(join(tmpdir(), 'ewl-example-reset-'));
  try {
    expect(existsSync(other)).toBe(true);
    const r = spawnSync('npm', ['run', '--silent', 'demo:reset'], { cwd: root, env: { ...process.env, DEMO_DATA_DIR: other }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`demo data reset: ${other} removed`);
    expect(existsSync(other)).toBe(false);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
