// Client input never causes a 500: what the body parser, static files and URL decoding refuse gets its own 4xx
// and the normal error page, and odd form fields (repeated, over-long) get the form's own message. None of
// them is logged as a server error.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, csrf, passwordLogin, type Agent, type TestApp } from '../support/app.ts';
import { newResetLink, pathOf } from '../password/support.ts';

let t: TestApp;
let loggedIn: Agent;
const FORM = 'application/x-www-form-urlencoded';

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'bob', password: PASSWORD });
  loggedIn = t.agent();
  expect((await passwordLogin(loggedIn, 'bob', PASSWORD)).status).toBe(303);
});
afterAll(() => t.close());

/** The normal HTML error page with this text: no stack trace, no parser internals, nothing logged as an error. */
function expectErrorPage(res: { status: number; text: string; headers: Record<string, string> }, status: number, text: string, logsBefore: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain('<p class="ewl-message ewl-message-error" role="alert">');
  expect(res.text).toContain(text.replace(/'/g, '&#39;'));
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|\bat \/|PayloadTooLarge|UnsupportedMediaType|zlib|incorrect header check|node_modules/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(t.logs.slice(logsBefore)).toEqual([]);
}

const encode = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

describe('what the body parser refuses', () => {
  // Threat (issue 9, no 500 from client input): crafted requests turn into a stream of 500s: alerts, log noise,
  // and a page that says the server is broken.
  it('answers a 1 MB body with 413', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const before = t.logs.length;
    const res = await agent.post('/accounts/login/').set('Content-Type', FORM).send(encode([['_csrf', token], ['username', 'x'.repeat(1024 * 1024)]]));
    expectErrorPage(res, 413, LOGIN_MESSAGES.request_too_large, before);
  });

  it('answers more than 50 parameters with 413', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const before = t.logs.length;
    const fields: [string, string][] = [['_csrf', token], ...Array.from({ length: 60 }, (_, i) => [`f${i}`, 'x'] as [string, string])];
    const res = await agent.post('/accounts/login/').set('Content-Type', FORM).send(encode(fields));
    expectErrorPage(res, 413, LOGIN_MESSAGES.request_too_large, before);
  });

  it('answers charset=utf-7 with 415', async () => {
    const before = t.logs.length;
    const res = await t.agent().post('/accounts/login/').set('Content-Type', `${FORM}; charset=utf-7`).send('username=%2BAGE-');
    expectErrorPage(res, 415, LOGIN_MESSAGES.request_unsupported, before);
  });

  it('answers an unknown content encoding with 415', async () => {
    const before = t.logs.length;
    const res = await t.agent().post('/accounts/login/').set('Content-Type', FORM).set('Content-Encoding', 'x-snappy').send('username=bob');
    expectErrorPage(res, 415, LOGIN_MESSAGES.request_unsupported, before);
  });

  it('answers a corrupt gzip body with 400', async () => {
    const before = t.logs.length;
    const res = await t.agent().post('/accounts/login/').set('Content-Type', FORM).set('Content-Encoding', 'gzip').send('username=bob, not gzip at all');
    expectErrorPage(res, 400, LOGIN_MESSAGES.bad_request, before);
  });

  it('still reads a well-formed gzip body', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const body = gzipSync(encode([['_csrf', token], ['username', 'bob']]));
    // As bytes: superagent would otherwise serialize a Buffer as form fields.
    const res = await agent.post('/accounts/login/').set('Content-Type', FORM).set('Content-Encoding', 'gzip').serialize((b: Buffer) => b as unknown as string).send(body);
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="password"');
  });

  it('answers an oversized body on callback/magic/ with 413', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const before = t.logs.length;
    const res = await agent.post('/accounts/callback/magic/').set('Content-Type', FORM).send(encode([['_csrf', token], ['token', 'a'.repeat(40 * 1024)]]));
    expectErrorPage(res, 413, LOGIN_MESSAGES.request_too_large, before);
  });
});

describe('static files and paths', () => {
  it('answers a missing static file with the normal 404 page', async () => {
    const before = t.logs.length;
    const res = await t.agent().get('/accounts/static/missing.css');
    expectErrorPage(res, 404, LOGIN_MESSAGES.not_found, before);
  });

  it('still serves the stylesheet', async () => {
    const res = await t.agent().get('/accounts/static/workos-login.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers a path that does not decode with 400', async () => {
    const before = t.logs.length;
    const res = await t.agent().get('/accounts/reset/%E0%A4%A/');
    expectErrorPage(res, 400, LOGIN_MESSAGES.bad_request, before);
  });
});

describe('repeated and over-long password fields', () => {
  const LONG = 'p'.repeat(8193);

  // Threat (issue 9, no 500 from client input): a field sent twice (an array) or far too long crashes the
  // handler with a 500 instead of a message.
  it.each([
    ['old_password repeated', [['old_password', PASSWORD], ['old_password', PASSWORD], ['new_password1', 'a new password 1'], ['new_password2', 'a new password 1']]],
    ['new_password1 repeated', [['old_password', PASSWORD], ['new_password1', 'a new password 1'], ['new_password1', 'x'], ['new_password2', 'a new password 1']]],
    ['new_password2 repeated', [['old_password', PASSWORD], ['new_password1', 'a new password 1'], ['new_password2', 'a new password 1'], ['new_password2', 'y']]],
    ['old_password over 8192', [['old_password', LONG], ['new_password1', 'a new password 1'], ['new_password2', 'a new password 1']]],
    ['new_password1 over 8192', [['old_password', PASSWORD], ['new_password1', LONG], ['new_password2', LONG]]],
    ['new_password2 over 8192', [['old_password', PASSWORD], ['new_password1', 'a new password 1'], ['new_password2', LONG]]],
  ] as [string, [string, string][]][])('password_change/ refuses %s with the form and 400', async (_, fields) => {
    const token = await csrf(loggedIn, '/accounts/password_change/');
    const before = t.logs.length;
    const res = await loggedIn.post('/accounts/password_change/').set('Content-Type', FORM).send(encode([['_csrf', token], ...fields]));
    expect(res.status).toBe(400);
    expect(res.text).toContain('name="new_password1"');
    expect(res.text).toContain('ewl-message-error');
    expect(t.logs.slice(before)).toEqual([]);
    // Nothing changed: the password still works.
    expect((await passwordLogin(t.agent(), 'bob', PASSWORD)).status).toBe(303);
  });

  it.each([
    ['new_password1 repeated', [['new_password1', 'a new password 1'], ['new_password1', 'x'], ['new_password2', 'a new password 1']]],
    ['new_password2 repeated', [['new_password1', 'a new password 1'], ['new_password2', 'a new password 1'], ['new_password2', 'y']]],
    ['both repeated alike', [['new_password1', 'a new password 1'], ['new_password1', 'a new password 1'], ['new_password2', 'a new password 1'], ['new_password2', 'a new password 1']]],
    ['new_password1 over 8192', [['new_password1', LONG], ['new_password2', LONG]]],
    ['new_password2 over 8192', [['new_password1', 'a new password 1'], ['new_password2', LONG]]],
  ] as [string, [string, string][]][])('reset/<token>/ refuses %s with the form and 400, and the link still works', async (_, fields) => {
    const user = await t.prisma.user.findUniqueOrThrow({ where: { username: 'bob' } });
    const link = await newResetLink(t, user.id, user.email);
    const agent = t.agent();
    const page = await agent.get(pathOf(link));
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const before = t.logs.length;
    const res = await agent.post(pathOf(link)).set('Content-Type', FORM).send(encode([['_csrf', token], ...fields]));
    expect(res.status).toBe(400);
    expect(res.text).toContain('name="new_password1"');
    expect(res.text).toContain('ewl-message-error');
    expect(t.logs.slice(before)).toEqual([]);
    expect((await agent.get(pathOf(link))).status).toBe(200);
  });
});
