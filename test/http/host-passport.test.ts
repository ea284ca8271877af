// Threat/integration: a host that runs its own Passport (its own serializer and a local strategy on its own route)
// next to the mounted router. The library's session data lives under its own key, so the host's serializeUser /
// deserializeUser never see the library's `{ id, v }`; and the library's exported strategies work on the host's
// own routes with the host's own Passport.
import express from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, isLoggedIn, PASSWORD, passwordLogin, SSO_CALLBACK, testDirectory, type WorkosTestApp } from '../support/app.ts';
import { completeIdpLogin } from '../support/workos.ts';

const HOST_SSO_CALLBACK = 'http://app.test/host/sso';
const urlencoded = express.urlencoded({ extended: false });
let t: WorkosTestApp;
/** Everything the host's Passport was asked to serialize or deserialize. */
const serialized: unknown[] = [];
const deserialized: unknown[] = [];

beforeAll(async () => {
  const directory = testDirectory();
  directory.clients = [{ clientId: 'client_test', apiKey: 'sk_test_app', redirectUris: [SSO_CALLBACK, HOST_SSO_CALLBACK] }];
  // The host's own Passport: its own users, its own serializer.
  const host = new passport.Passport();
  host.use('host-local', new LocalStrategy((username, password, done) => done(null, username === 'robot' && password === 'beep' ? ({ kind: 'robot', name: 'robot' } as unknown as Express.User) : false)));
  host.serializeUser((user, done) => {
    serialized.push(user);
    done(null, JSON.stringify(user));
  });
  host.deserializeUser((raw: string, done) => {
    deserialized.push(raw);
    done(null, JSON.parse(raw) as Express.User);
  });
  t = await createTestApp({
    emulator: { directory },
    rules: [
      { name: 'Acme SAML', method: 'sso', priority: 10, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes' },
      { name: 'MFA', method: 'mfa', priority: 20, emailRegex: '^mo@', totpOrganizationName: 'Test' },
      { name: 'Everyone', method: 'password', priority: 100, emailRegex: '.*' },
    ],
    configure: (app) => {
      app.use((req, res, next) => host.initialize()(req, res, next));
    },
    routes: (app, login) => {
      app.use(host.session());
      host.use('ewl-password', login.strategies.password());
      host.use('ewl-sso', login.strategies.sso({ callbackUrl: HOST_SSO_CALLBACK }));
      app.post('/host/login', urlencoded, host.authenticate('host-local'), (req, res) => res.json({ host: req.user }));
      app.post('/api/login', urlencoded, (req, res, next) =>
        host.authenticate('ewl-password', (err: unknown, user: Express.User | false, info?: { reason?: string }) => {
          if (err) return next(err);
          if (!user) return res.status(401).json({ reason: info?.reason ?? 'missing' });
          req.logIn(user, (e) => (e ? next(e) : res.json({ user: (user as { username: string }).username })));
        })(req, res, next),
      );
      app.get('/host/sso', host.authenticate('ewl-sso', { failureRedirect: '/host/failed' }), (req, res) => res.json({ sso: (req.user as { username?: string }).username }));
      app.get('/host/me', (req, res) => res.json({ user: req.user ?? null }));
    },
  });
  await createUser(t.prisma, { username: 'pat', email: 'pat@example.test' });
  await createUser(t.prisma, { username: 'mo', email: 'mo@example.test' });
  await createUser(t.prisma, { username: 'bob', email: 'bob@acme.test' });
});
afterAll(() => t.close());

describe('a host with its own Passport', () => {
  it("keeps its own local strategy on its own route, and its serializer never sees the library's data", async () => {
    const agent = t.agent();
    const res = await agent.post('/host/login').type('form').send({ username: 'robot', password: 'beep' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ host: { kind: 'robot', name: 'robot' } });
    expect((await agent.get('/host/me')).body).toEqual({ user: { kind: 'robot', name: 'robot' } });
  });

  it("the mounted router's login works next to it, and the host's Passport is never handed the library's { id, v }", async () => {
    serialized.length = 0;
    deserialized.length = 0;
    const agent = t.agent();
    const res = await passwordLogin(agent, 'pat', PASSWORD);
    expect(res.status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
    expect(serialized).toEqual([]);
    expect(deserialized).toEqual([]);
  });

  it("the library's password strategy on the host's route logs a password user in through the host's Passport", async () => {
    serialized.length = 0;
    const agent = t.agent();
    const res = await agent.post('/api/login').type('form').send({ username: 'pat', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'pat' });
    // The host's serializer got the public user (never the hash or the session version).
    expect(serialized).toHaveLength(1);
    expect(serialized[0]).toMatchObject({ username: 'pat', email: 'pat@example.test' });
    expect(serialized[0]).not.toHaveProperty('passwordHash');
    expect(serialized[0]).not.toHaveProperty('sessionVersion');
    expect((await agent.get('/host/me')).body.user).toMatchObject({ username: 'pat' });
  });

  it('refuses a wrong password, and never completes a login that owes a second factor', async () => {
    const wrong = await t.agent().post('/api/login').type('form').send({ username: 'pat', password: 'nope nope nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ reason: 'invalid_credentials' });
    const mfa = await t.agent().post('/api/login').type('form').send({ username: 'mo', password: PASSWORD });
    expect(mfa.status).toBe(401);
    expect(mfa.body).toEqual({ reason: 'second_step_required' });
  });

  it('the WorkOS SSO strategy starts and finishes an SSO login on the host route', async () => {
    const agent = t.agent();
    const start = await agent.get('/host/sso?username=bob%40acme.test');
    expect(start.status).toBe(303);
    const callback = await completeIdpLogin(t.emulator, start.headers.location!, { email: 'bob@acme.test' });
    expect(callback.startsWith('/host/sso?')).toBe(true);
    const done = await agent.get(callback);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ sso: 'bob' });
    expect((await agent.get('/host/me')).body.user).toMatchObject({ username: 'bob' });
  });

  it('the SSO strategy refuses a user whose rule is not SSO, and a replayed callback', async () => {
    const agent = t.agent();
    const notSso = await agent.get('/host/sso?username=pat');
    expect(notSso.status).toBe(302);
    expect(notSso.headers.location).toBe('/host/failed');
    const start = await agent.get('/host/sso?username=bob%40acme.test');
    const callback = await completeIdpLogin(t.emulator, start.headers.location!, { email: 'bob@acme.test' });
    expect((await agent.get(callback)).status).toBe(200);
    const replay = await agent.get(callback);
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toBe('/host/failed');
  });
});
