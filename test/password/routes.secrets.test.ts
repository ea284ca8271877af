// Reset and change flows never put passwords or reset tokens into events or logs; the only place a token
// appears is the link handed to the app's mailer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/index.ts';
import { createTestApp, createUser, csrf, passwordLogin, type TestApp } from '../support/app.ts';
import { newResetLink, pathOf, postToLink, requestReset, submitNewPassword, tokenOf } from './support.ts';

const OLD = 'old-secret-password-1';
const RESET_TO = 'reset-secret-password-2';
const MISMATCH = 'mismatch-secret-password-3';
const CHANGED_TO = 'changed-secret-password-4';
const WRONG = 'wrong-secret-password-5';

const logged: { level: string; args: unknown[] }[] = [];
const logger: Logger = {
  info: (...args) => void logged.push({ level: 'info', args }),
  warn: (...args) => void logged.push({ level: 'warn', args }),
  error: (...args) => void logged.push({ level: 'error', args }),
};
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ config: { logger } });
  // Failing listeners make the library log: those log lines must be clean too.
  t.login.on('sendPasswordReset', () => {
    throw new Error('mailer is down');
  });
  t.login.on('passwordChanged', async () => {
    throw new Error('audit sink is down');
  });
});
afterAll(() => t.close());

describe('secrets in events and logs', () => {
  it('keeps passwords and reset tokens out of every event and log line except sendPasswordReset.link', async () => {
    // Threat (items 43, 53): passwords and reset tokens end up in log storage, readable by far more people.
    const user = await createUser(t.prisma, { username: 'secretive', email: 'secretive@example.test', password: OLD });
    await requestReset(t.agent(), 'unknown-secretive@example.test');
    const link = await newResetLink(t, user.id, user.email);
    const token = tokenOf(link);
    const agent = t.agent();
    expect((await agent.get(pathOf(link))).status).toBe(200);
    expect((await submitNewPassword(agent, link, RESET_TO, MISMATCH)).status).toBe(400);
    expect((await submitNewPassword(agent, link, RESET_TO)).status).toBe(303);
    expect((await postToLink(agent, link, WRONG)).status).toBe(400);

    expect((await passwordLogin(t.agent(), 'secretive', OLD)).status).toBe(401);
    const session = t.agent();
    expect((await passwordLogin(session, 'secretive', RESET_TO)).status).toBe(303);
    const change = async (old: string, p1: string, p2 = p1) => {
      const csrfToken = await csrf(session, '/accounts/password_change/');
      return session.post('/accounts/password_change/').type('form').send({ _csrf: csrfToken, old_password: old, new_password1: p1, new_password2: p2 });
    };
    expect((await change(WRONG, CHANGED_TO)).status).toBe(400);
    expect((await change(RESET_TO, CHANGED_TO, MISMATCH)).status).toBe(400);
    expect((await change(RESET_TO, CHANGED_TO)).status).toBe(303);
    // Let the async listener's rejection be logged.
    await new Promise((resolve) => setImmediate(resolve));

    const names = t.events.all.map((e) => e.name);
    for (const name of ['sendPasswordReset', 'passwordChanged', 'login', 'loginFailed'] as const) expect(names).toContain(name);
    expect(logged.some((l) => l.level === 'error' && String(l.args[0]).includes('"sendPasswordReset" listener failed'))).toBe(true);
    expect(logged.some((l) => l.level === 'error' && String(l.args[0]).includes('"passwordChanged" listener failed'))).toBe(true);

    const secrets = [OLD, RESET_TO, MISMATCH, CHANGED_TO, WRONG, token];
    const payloads = t.events.all.map((e) => {
      if (e.name !== 'sendPasswordReset') return { name: e.name, text: JSON.stringify(e.payload) };
      const { link: sent, ...rest } = e.payload as { link: string };
      expect(sent).toMatch(/^http:\/\/app\.test\/accounts\/reset\/[A-Za-z0-9_-]{43}\/$/);
      return { name: e.name, text: JSON.stringify(rest) };
    });
    const logText = JSON.stringify(logged);
    for (const secret of secrets) {
      for (const p of payloads) expect({ event: p.name, leaks: p.text.includes(secret) }).toEqual({ event: p.name, leaks: false });
      expect({ secret, inLogs: logText.includes(secret) }).toEqual({ secret, inLogs: false });
    }
    // Nor the password hash.
    for (const p of payloads) expect(p.text).not.toContain('$2b$');
    expect(logText).not.toContain('$2b$');
  });
});
