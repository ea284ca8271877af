// A small, static accessibility check of the login pages: labels, language, headings, alerts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type Agent, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'sybil', password: PASSWORD });
});
afterAll(() => t.close());

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

function checkPage(html: string) {
  expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/i);
  expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
  expect(/<title>([^<]+)<\/title>/.exec(html)?.[1]?.trim()).toBeTruthy();
  expect(html).toContain('<meta name="viewport"');
  const labels = [...html.matchAll(/<label\b[^>]*>/g)].map((m) => attr(m[0], 'for'));
  const inputs = [...html.matchAll(/<(input|select|textarea)\b[^>]*>/g)].map((m) => m[0]).filter((tag) => attr(tag, 'type') !== 'hidden');
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(new Set(ids).size).toBe(ids.length);
  for (const input of inputs) {
    const id = attr(input, 'id');
    expect(id, `input without id: ${input}`).toBeTruthy();
    expect(labels, `no <label for="${id}">`).toContain(id);
  }
  for (const target of labels) expect(ids, `label for missing id ${target}`).toContain(target);
  for (const button of html.matchAll(/<button\b[^>]*>([^<]*)<\/button>/g)) expect(button[1]!.trim()).not.toBe('');
  return inputs;
}

async function stepTwo(agent: Agent) {
  const token = await csrf(agent);
  return agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'sybil' });
}

describe('login page accessibility', () => {
  it('step 1: one labelled username field with autocomplete', async () => {
    const res = await t.agent().get('/accounts/login/');
    const inputs = checkPage(res.text);
    expect(inputs).toHaveLength(1);
    expect(attr(inputs[0]!, 'autocomplete')).toBe('username');
    expect(inputs[0]).toContain(' autofocus');
  });

  it('step 2: labelled username and password fields with autocomplete', async () => {
    const res = await stepTwo(t.agent());
    const inputs = checkPage(res.text);
    expect(inputs.map((i) => attr(i, 'autocomplete'))).toEqual(['username', 'current-password']);
    expect(attr(inputs[1]!, 'type')).toBe('password');
  });

  it('errors are announced with role="alert"', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'sybil', password: 'wrong' });
    expect(res.status).toBe(401);
    checkPage(res.text);
    expect(res.text).toMatch(/<div class="ewl-messages" role="alert"[^>]*>\s*<p class="ewl-message ewl-message-error">/);
  });

  it('the logged-in page and the logout page pass too', async () => {
    const agent = t.agent();
    await passwordLogin(agent, 'sybil', PASSWORD);
    checkPage((await agent.get('/accounts/login/')).text);
    checkPage((await agent.get('/accounts/logout/')).text);
  });
});
