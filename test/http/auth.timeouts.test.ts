// Idle and absolute session timeouts, measured on the server with the harness clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, passwordLogin, type Agent, type TestApp } from '../support/app.ts';

const MINUTE = 60_000;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'lee', password: PASSWORD });
});
afterAll(() => t.close());

async function login(): Promise<Agent> {
  const agent = t.agent();
  expect((await passwordLogin(agent, 'lee', PASSWORD)).status).toBe(303);
  return agent;
}

async function expectExpired(agent: Agent) {
  const res = await agent.get('/private');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/accounts/login/?next=%2Fprivate');
  const page = await agent.get(res.headers.location!);
  expect(page.text).toContain(LOGIN_MESSAGES.session_expired);
  expect(page.text).not.toContain('You are logged in as');
  // The message shows once.
  expect((await agent.get('/accounts/login/')).text).not.toContain(LOGIN_MESSAGES.session_expired);
}

describe('session timeouts', () => {
  it('uses the defaults of 30 minutes idle and 12 hours absolute', () => {
    expect(t.login.config.session).toEqual({ idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 43_200 });
  });

  it('ends a session left idle past idleTimeoutSeconds', async () => {
    // Threat (item 24): an unattended, logged-in browser stays usable forever.
    const agent = await login();
    const idle = t.login.config.session.idleTimeoutSeconds * 1000;
    t.clock.advance(idle - MINUTE);
    expect((await agent.get('/private')).status).toBe(200);
    t.clock.advance(idle - MINUTE);
    expect((await agent.get('/private')).status).toBe(200);
    t.clock.advance(idle + 1000);
    await expectExpired(agent);
  });

  it('ends an active session past absoluteTimeoutSeconds', async () => {
    // Threat (item 24): a stolen session kept alive by activity lasts forever.
    const agent = await login();
    const absolute = t.login.config.session.absoluteTimeoutSeconds * 1000;
    let elapsed = 0;
    while (elapsed + 10 * MINUTE <= absolute) {
      t.clock.advance(10 * MINUTE);
      elapsed += 10 * MINUTE;
      const res = await agent.get('/private');
      expect(res.status, `after ${elapsed / MINUTE} minutes`).toBe(200);
    }
    expect(elapsed).toBe(absolute);
    t.clock.advance(10 * MINUTE);
    await expectExpired(agent);
  });

  it('lets the user log in again after a timeout', async () => {
    const agent = await login();
    t.clock.advance(t.login.config.session.idleTimeoutSeconds * 1000 + 1000);
    await expectExpired(agent);
    expect((await passwordLogin(agent, 'lee', PASSWORD)).status).toBe(303);
    expect((await agent.get('/private')).text).toBe('private for lee');
  });
});
