// docs/passport.md, run as written: a host with its own Passport puts the library's password and SSO strategies on
// its own routes (the page shows the set-up below), next to the mounted router, against the WorkOS emulator. The
// other claims of the page (what each strategy answers, which library features reach these logins) are checked too.
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkOSEmulator, type WorkOSEmulator } from '../../src/emulator/index.ts';
import { workosLogin, type WorkosLoginRouter } from '../../src/index.ts';
import { createUser, csrfFrom, PASSWORD } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { docBlocks, docText, isSliceOf } from './support.ts';

const doc = docText('docs/passport.md');
const ORIGIN = 'https://app.example.com';

let db: TestDb;
let emulator: WorkOSEmulator;
let login: WorkosLoginRouter;
let server: express.Express;
const sessionSecret = 'docs-secret';
const events: string[] = [];
const links: string[] = [];

beforeAll(async () => {
  db = await createTestDb();
  emulator = await createWorkOSEmulator({
    directory: {
      clients: [{ clientId: 'client_docs', apiKey: 'sk_docs', redirectUris: [`${ORIGIN}/accounts/callback/sso/`, `${ORIGIN}/auth/sso`] }],
      organizations: [{ id: 'org_acme', name: 'Acme', domains: ['acme.com'] }],
      connections: [{ id: 'conn_acme', type: 'OktaSAML', name: 'Acme Okta', organizationId: 'org_acme', users: [{ idpId: 'acme-bo', email: 'bo@acme.com', firstName: 'Bo', lastName: 'Smith' }] }],
    },
  });
  const prisma = db.prisma;
  login = workosLogin({
    prisma,
    baseUrl: ORIGIN,
    workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions },
    emailLookup: true,
    password: { bcryptCost: 4 },
    magicLink: { provider: 'local' },
    rateLimit: { perAccountIp: { points: 3, durationSeconds: 60, blockSeconds: 60, maxBlockSeconds: 60 } },
    logger: { info() {}, warn() {}, error() {} },
  });
  await login.rules.create({ name: 'Acme SSO', method: 'sso', priority: 10, emailRegex: '@acme\\.com$', organizationId: 'org_acme' });
  await login.rules.create({ name: 'Staff MFA', method: 'mfa', priority: 20, emailRegex: '^mo@', totpOrganizationName: 'Acme' });
  await login.rules.create({ name: 'Links', method: 'magic', priority: 30, emailRegex: '@links\\.test$' });
  login.on('login', ({ user }) => void events.push(`login ${user.username}`));
  login.on('loginFailed', ({ reason }) => void events.push(`loginFailed ${reason}`));
  login.on('sendMagicLink', ({ link }) => void links.push(link));

  const auth = new passport.Passport(); // your app's Passport (the default `passport` instance works the same)
  auth.use('workos-password', login.strategies.password());
  auth.use('workos-sso', login.strategies.sso({ callbackUrl: 'https://app.example.com/auth/sso' }));
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id: number, done) => {
    prisma.user.findFirst({ where: { id, isActive: true }, omit: { passwordHash: true } }).then((user) => done(null, user ?? false), done);
  });

  const app = express();
  app.use(session({ secret: sessionSecret, resave: false, saveUninitialized: false }));
  app.use('/accounts', login); // the library's own pages keep working next to your routes
  app.use(auth.initialize(), auth.session());

  app.post('/api/login', express.urlencoded({ extended: false }), (req, res, next) => {
    auth.authenticate('workos-password', (err: unknown, user: Express.User | false, info?: { reason?: string }) => {
      if (err) return next(err);
      if (!user) {
        // 'method_not_allowed' and 'no_rule' would tell a caller that the account exists: answer them as a wrong password.
        const shown = ['throttled', 'second_step_required'].includes(info?.reason ?? '') ? info!.reason : 'invalid_credentials';
        return res.status(401).json({ error: shown });
      }
      req.logIn(user, (e) => (e ? next(e) : res.json({ username: user.username })));
    })(req, res, next);
  });
  // GET /auth/sso?username=bo@acme.com starts the login; WorkOS sends the browser back here to finish it.
  app.get('/auth/sso', auth.authenticate('workos-sso', { failureRedirect: '/login-failed' }), (req, res) => {
    res.redirect('/');
  });

  // Not on the page: the magic-link strategy on a host route, and pages that show who is logged in.
  auth.use('workos-magic-link', login.strategies.magicLink());
  app.post('/auth/magic', express.urlencoded({ extended: false }), auth.authenticate('workos-magic-link', { failureRedirect: '/login-failed' }), (_req, res) => res.redirect('/'));
  app.get('/me', (req, res) => void res.json({ user: req.user?.username ?? null }));
  app.get('/private', login.requireLogin, (req, res) => void res.send(`private for ${req.user!.username}`));
  server = app;

  await createUser(prisma, { username: 'pat', email: 'pat@example.com' });
  await createUser(prisma, { username: 'mo', email: 'mo@example.com' });
  await createUser(prisma, { username: 'bo', email: 'bo@acme.com', password: null });
  await createUser(prisma, { username: 'lin', email: 'lin@links.test', password: null });
  await createUser(prisma, { username: 'tim', email: 'tim@example.com' });
});
afterAll(async () => {
  await emulator.close();
  await db.close();
});

const post = (agent: ReturnType<typeof supertest.agent>, username: string, password: string) => agent.post('/api/login').type('form').send({ username, password });

describe('docs/passport.md', () => {
  it('its TypeScript block is a slice of this file', () => {
    const blocks = docBlocks('docs/passport.md').filter((b) => b.lang === 'ts');
    expect(blocks).toHaveLength(1);
    expect(isSliceOf(blocks[0]!, 'test/docs/passport.test.ts')).toBe(true);
  });

  it('the password strategy logs in through your Passport, and only when the password completes the login', async () => {
    const agent = supertest.agent(server);
    expect((await post(agent, 'pat', PASSWORD)).body).toEqual({ username: 'pat' });
    expect((await agent.get('/me')).body).toEqual({ user: 'pat' });

    const wrong = await post(supertest.agent(server), 'pat', 'not the password');
    expect([wrong.status, wrong.body]).toEqual([401, { error: 'invalid_credentials' }]);
    const mfa = await post(supertest.agent(server), 'mo', PASSWORD);
    expect([mfa.status, mfa.body]).toEqual([401, { error: 'second_step_required' }]);
    // An SSO user's password fails with method_not_allowed, which the route answers like a wrong password.
    const sso = await post(supertest.agent(server), 'bo', 'anything at all');
    expect([sso.status, sso.body]).toEqual([401, { error: 'invalid_credentials' }]);
    expect(doc).toContain('`second_step_required`');
    expect(doc).toContain('`method_not_allowed`');
  });

  it('counts password attempts like the login page: per account, then throttled', async () => {
    for (let i = 0; i < 3; i++) await post(supertest.agent(server), 'tim', 'wrong guess');
    expect((await post(supertest.agent(server), 'tim', PASSWORD)).body).toEqual({ error: 'throttled' });
  });

  it('the SSO strategy starts the login and finishes it on the same route', async () => {
    const agent = supertest.agent(server);
    const start = await agent.get('/auth/sso?username=bo%40acme.com');
    expect([start.status, start.headers.location]).toEqual([303, expect.any(String)]);
    const back = new URL(await emulator.idp.signIn(start.headers.location!, { email: 'bo@acme.com' }));
    expect(back.origin + back.pathname).toBe(`${ORIGIN}/auth/sso`);
    const done = await agent.get(back.pathname + back.search);
    expect(done.headers.location).toBe('/');
    expect((await agent.get('/me')).body).toEqual({ user: 'bo' });

    const notSso = await supertest.agent(server).get('/auth/sso?username=pat');
    expect(notSso.headers.location).toBe('/login-failed');
    expect((await agent.get(back.pathname + back.search)).headers.location).toBe('/login-failed'); // a replayed callback
  });

  it('the magic-link strategy takes the confirmation POST of a link', async () => {
    const agent = supertest.agent(server);
    const page = await agent.get('/accounts/login/');
    await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username: 'lin' });
    const token = new URL(links.at(-1)!).searchParams.get('token')!;
    const done = await supertest.agent(server).post('/auth/magic').type('form').send({ token });
    expect(done.headers.location).toBe('/');
    const again = await supertest.agent(server).post('/auth/magic').type('form').send({ token });
    expect(again.headers.location).toBe('/login-failed');
  });

  it("these logins are your Passport's: no login events, requireLogin lets them in, deactivateUser ends them through isActive", async () => {
    events.length = 0;
    const agent = supertest.agent(server);
    await post(agent, 'pat', PASSWORD);
    await post(supertest.agent(server), 'pat', 'not the password');
    expect(events).toEqual([]);
    expect((await agent.get('/private')).text).toBe('private for pat');

    const pat = await db.prisma.user.findFirstOrThrow({ where: { username: 'pat' } });
    await login.deactivateUser(pat.id);
    expect((await agent.get('/me')).body).toEqual({ user: null });
  });
});
