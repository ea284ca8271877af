// Secrets in URLs and forms never reach the log: every error we can cause on every route that carries a secret
// (reset/<token>/, callback/magic/ with a token or a WorkOS code and state, in the query and in the form,
// callback/sso/ with a code and state) is triggered with real, live secrets, then the captured log is searched
// for them. The error line names the route's pattern instead of the path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, csrfFrom, passwordLogin, type Agent, type WorkosTestApp } from '../support/app.ts';
import { askByForm, landingPath, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from '../magic-link/support.ts';
import { newResetLink, pathOf, tokenOf } from '../password/support.ts';
import { completeIdpLogin, startLogin } from '../support/workos.ts';

const FORM = 'application/x-www-form-urlencoded';

/** One secret-carrying request: where it goes and which of its parameters are secrets. */
interface SecretRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Query parameters (GET) or form fields (POST); all of them secrets. */
  params: Record<string, string>;
}

let local: WorkosTestApp; // reset links, local magic links, SSO
let workos: WorkosTestApp; // WorkOS magic links (code + state)
let magicLocal: MagicSeed;
let magicWorkos: MagicSeed;
/** Every secret handed out during the test: none may appear in any log line. */
const secrets = new Set<string>();
/** Every status answered, by variant, for the assertions about 500s. */
const answers: { what: string; status: number }[] = [];

beforeAll(async () => {
  local = await createTestApp({ emulator: { timeoutMs: 500 }, config: magicConfig('local') });
  workos = await createTestApp({ emulator: { timeoutMs: 500 }, config: magicConfig('workos') });
  magicLocal = await seedMagicUsers(local);
  magicWorkos = await seedMagicUsers(workos);
  await local.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 5, emailRegex: '@acme\\.test$', organizationId: 'org_acme' });
  await createUser(local.prisma, { username: 'ada', email: 'ada@acme.test', password: null });
  await createUser(local.prisma, { username: 'rita', email: 'rita@example.test', password: PASSWORD });
});
afterAll(async () => {
  await local?.close();
  await workos?.close();
});

const query = (params: Record<string, string>, repeat = false) =>
  Object.entries(params)
    .flatMap(([k, v]) => (repeat ? [[k, v], [k, `${v}x`]] : [[k, v]]))
    .map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`)
    .join('&');

/** A table the request needs is gone for the duration of `fn`: every query on it fails, as in an outage. */
async function withTableDown<T>(t: WorkosTestApp, table: string, fn: () => Promise<T>): Promise<T> {
  // RENAME TO takes a bare name: the table stays in its schema.
  await t.prisma.$executeRawUnsafe(`ALTER TABLE ${t.db.table(table)} RENAME TO "${table}_down"`);
  try {
    return await fn();
  } finally {
    await t.prisma.$executeRawUnsafe(`ALTER TABLE ${t.db.table(`${table}_down`)} RENAME TO "${table}"`);
  }
}

function record(what: string, res: { status: number }) {
  answers.push({ what, status: res.status });
  return res;
}

/**
 * Every malformed variant of a secret-carrying request the router can be sent: repeated secrets, huge and
 * over-many fields, odd charsets and encodings, no or a wrong CSRF token, another browser's session, a second
 * use. For GET the secrets travel in the query, for POST in the form (and the query, as a confused client would).
 */
async function everyBadRequest(t: WorkosTestApp, agent: Agent, route: SecretRoute, label: string): Promise<void> {
  const other = t.agent();
  if (route.method === 'GET') {
    const url = (q: string) => `${route.path}${q ? `?${q}` : ''}`;
    record(`${label} GET repeated`, await agent.get(url(query(route.params, true))));
    record(`${label} GET array keys`, await agent.get(url(query(Object.fromEntries(Object.entries(route.params).map(([k, v]) => [`${k}[]`, v]))))));
    record(`${label} GET bad escape`, await agent.get(url(`${query(route.params)}&x=%E0%A4%A`)));
    record(`${label} GET other session`, await other.get(url(query(route.params))));
    // Last, as it may use the secret up: the secrets with a huge extra parameter.
    record(`${label} GET huge`, await agent.get(url(`${query(route.params)}&pad=${'a'.repeat(8000)}`)));
    return;
  }
  const token = await csrf(agent);
  const form = (extra: Record<string, string> = {}) => query({ _csrf: token, ...route.params, ...extra });
  const post = (a: Agent = agent) => a.post(route.path).set('Content-Type', FORM);
  record(`${label} POST no csrf`, await post().send(query(route.params)));
  record(`${label} POST wrong csrf`, await post().send(query({ _csrf: 'not-the-token', ...route.params })));
  record(`${label} POST other session`, await post(other).send(form()));
  record(`${label} POST repeated`, await post().send(`_csrf=${encodeURIComponent(token)}&${query(route.params, true)}`));
  record(`${label} POST 1 MB`, await post().send(form({ pad: 'a'.repeat(1024 * 1024) })));
  record(`${label} POST 60 fields`, await post().send(form(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, 'x'])))));
  record(`${label} POST utf-7`, await agent.post(route.path).set('Content-Type', `${FORM}; charset=utf-7`).send(form()));
  record(`${label} POST bad gzip`, await post().set('Content-Encoding', 'gzip').send(form()));
  record(`${label} POST json`, await agent.post(route.path).set('Content-Type', 'application/json').send(JSON.stringify({ _csrf: token, ...route.params })));
  // Last, as it may use the secret up: a well-formed form that also repeats the secrets in the query.
  record(`${label} POST secrets in query too`, await agent.post(`${route.path}?${query(route.params)}`).set('Content-Type', FORM).send(form()));
}

/** The same request while a table it reads is down (a 503 page, and a logged error line). */
async function duringOutage(t: WorkosTestApp, agent: Agent, route: SecretRoute, table: string, label: string): Promise<void> {
  const token = route.method === 'POST' ? await csrf(agent) : '';
  const send = async () =>
    route.method === 'GET' ? agent.get(`${route.path}?${query(route.params)}`) : agent.post(route.path).set('Content-Type', FORM).send(query({ _csrf: token, ...route.params }));
  const res = await withTableDown(t, table, send);
  record(`${label} during outage of ${table}`, res);
  expect(res.status, `${label} during outage of ${table}`).toBe(503);
}

function expectNoSecretIn(logs: readonly string[]) {
  expect(secrets.size).toBeGreaterThan(0);
  for (const line of logs) for (const secret of secrets) expect(line.includes(secret), `a secret in the log line: ${line.slice(0, 200)}`).toBe(false);
}

describe('no secret from a URL or a form reaches the log', () => {
  // Threat (items 43, 53): the error line logged the request path, so a still-valid reset token landed in the
  // log, where anyone who reads logs could use it.
  it('reset/<token>/: GET and POST, every bad variant and during outages', async () => {
    const user = await local.prisma.user.findUniqueOrThrow({ where: { username: 'rita' } });
    const link = await newResetLink(local, user.id, user.email);
    secrets.add(tokenOf(link));
    const path = pathOf(link);
    const agent = local.agent();
    expect((await agent.get(path)).status).toBe(200);
    await everyBadRequest(local, agent, { method: 'POST', path, params: { new_password1: 'a brand new password', new_password2: 'another one' } }, 'reset');
    await everyBadRequest(local, agent, { method: 'GET', path, params: {} }, 'reset');
    await duringOutage(local, agent, { method: 'GET', path, params: {} }, 'PasswordResetToken', 'reset GET');
    await duringOutage(local, agent, { method: 'POST', path, params: { new_password1: 'a brand new password', new_password2: 'a brand new password' } }, 'PasswordResetToken', 'reset POST');
    // A logged-in visitor: the user is loaded before any route matches, so that failure has no route pattern.
    const session = local.agent();
    expect((await passwordLogin(session, 'rita', PASSWORD)).status).toBe(303);
    await duringOutage(local, session, { method: 'GET', path, params: {} }, 'User', 'reset GET, logged in');
    // The link still works after all that.
    expect((await agent.get(path)).status).toBe(200);
    expect(local.logs.some((l) => l.includes('upstream on GET /accounts/reset/:token '))).toBe(true);
    expect(local.logs.some((l) => l.includes('upstream on GET /accounts/reset/:param/ '))).toBe(true);
    expectNoSecretIn(local.logs);
  });

  it('callback/magic/ with a local token: in the query (GET) and the form (POST)', async () => {
    await askByForm(local.agent(), 'mia');
    const link = linksFor(local, magicLocal.ids.magic).at(-1)!;
    const token = new URL(link).searchParams.get('token')!;
    secrets.add(token);
    const agent = local.agent();
    const get: SecretRoute = { method: 'GET', path: '/accounts/callback/magic/', params: { token } };
    const post: SecretRoute = { method: 'POST', path: '/accounts/callback/magic/', params: { token } };
    await everyBadRequest(local, agent, get, 'magic token');
    await everyBadRequest(local, agent, post, 'magic token');
    await duringOutage(local, agent, get, 'MagicLinkToken', 'magic token GET');
    await duringOutage(local, agent, post, 'MagicLinkToken', 'magic token POST');
    expect(local.logs.some((l) => l.includes('upstream on GET /accounts/callback/magic '))).toBe(true);
    expectNoSecretIn(local.logs);
  });

  it('callback/magic/ with a WorkOS code and state: query and form, WorkOS failing, outages', async () => {
    // A fresh, live code and state per use: a code is redeemed once.
    const fresh = async (agent: Agent, method: 'GET' | 'POST'): Promise<SecretRoute> => {
      const page = await agent.get('/accounts/login/');
      await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username: 'mia' });
      const landing = new URL(await landingPath(workos.emulator.outbox.latest('Mia@Magic.test')!.link!), 'http://app.test');
      const params = { code: landing.searchParams.get('code')!, state: landing.searchParams.get('state')! };
      secrets.add(params.code).add(params.state);
      return { method, path: '/accounts/callback/magic/', params };
    };
    const agent = workos.agent();
    await everyBadRequest(workos, agent, await fresh(agent, 'GET'), 'magic code');
    await everyBadRequest(workos, agent, await fresh(agent, 'POST'), 'magic code');
    // WorkOS fails the code exchange, quoting the code: the "try again" page, and a logged error without it.
    const route = await fresh(agent, 'POST');
    workos.emulator.faults.inject({ method: 'POST', path: '/sso/token', status: 500, body: { message: `the code ${route.params.code} broke us` } });
    const token = await csrf(agent);
    const failing = record('magic code POST, WorkOS failing', await agent.post(route.path).set('Content-Type', FORM).send(query({ _csrf: token, ...route.params })));
    expect(failing.status).toBe(503);
    expect(workos.logs.some((l) => l.includes('express-workos-login: WorkOS sso.getProfileAndToken (magic link) failed'))).toBe(true);
    await duringOutage(workos, agent, await fresh(agent, 'POST'), 'User', 'magic code POST');
    expectNoSecretIn(workos.logs);
  });

  it('callback/sso/ with a code and state: every bad variant, WorkOS failing, outages', async () => {
    // A fresh, live code and state per use: a code is redeemed once.
    const fresh = async (agent: Agent): Promise<SecretRoute> => {
      const callback = new URL(await completeIdpLogin(local.emulator, await startLogin(agent, 'ada'), { email: 'ada@acme.test' }), 'http://app.test');
      const params = { code: callback.searchParams.get('code')!, state: callback.searchParams.get('state')! };
      secrets.add(params.code).add(params.state);
      return { method: 'GET', path: '/accounts/callback/sso/', params };
    };
    const agent = local.agent();
    await everyBadRequest(local, agent, await fresh(agent), 'sso');
    const route = await fresh(agent);
    local.emulator.faults.inject({ method: 'POST', path: '/sso/token', status: 500, body: { message: `the code ${route.params.code} broke us` } });
    const failing = record('sso, WorkOS failing', await agent.get(`${route.path}?${query(route.params)}`));
    expect(failing.status).toBe(503);
    await duringOutage(local, agent, await fresh(agent), 'SsoIdentity', 'sso');
    const session = local.agent();
    expect((await passwordLogin(session, 'rita', PASSWORD)).status).toBe(303);
    await duringOutage(local, session, await fresh(session), 'User', 'sso, logged in');
    expectNoSecretIn(local.logs);
  });

  it('answered every bad variant with a 4xx, and only the outages with a 5xx', () => {
    expect(answers.length).toBeGreaterThan(50);
    const fives = answers.filter((a) => a.status >= 500);
    expect(fives.every((a) => a.status === 503 && /outage|WorkOS failing/.test(a.what)), JSON.stringify(fives)).toBe(true);
    expect(answers.filter((a) => a.status < 400 || a.status >= 500).filter((a) => !/outage|WorkOS failing/.test(a.what) && a.status >= 500)).toEqual([]);
  });
});
