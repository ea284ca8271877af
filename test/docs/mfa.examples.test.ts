// The code blocks of docs/mfa.md, run as written: a rule, the settings, the event listeners, resetMfa and the
// emulator snippets, through a full SMS and TOTP enrollment against the emulator.
import express from 'express';
import session from 'express-session';
import { authenticator } from 'otplib';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkOSEmulator, type WorkOSEmulator } from '../../src/emulator/index.ts';
import { workosLogin, type WorkosLoginConfig, type WorkosLoginRouter } from '../../src/index.ts';
import { csrfFrom, createUser } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let emulator: WorkOSEmulator;
let login: WorkosLoginRouter;
let app: express.Express;
const mails: { to: string; subject: string; text: string }[] = [];
const alerts: string[] = [];
const sendMail = async (to: string, subject: string, text: string) => void mails.push({ to, subject, text });
const alertSecurity = (text: string) => void alerts.push(text);

beforeAll(async () => {
  db = await createTestDb();
  emulator = await createWorkOSEmulator();
  const quiet = { info() {}, warn() {}, error() {} };
  const config = {
    prisma: db.prisma,
    baseUrl: 'http://app.test',
    password: { bcryptCost: 4 },
    logger: quiet,
    workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions },
  } satisfies WorkosLoginConfig;

  const make = () => {
    const login = workosLogin({
      ...config, // prisma, baseUrl, workos: { apiKey, clientId } as in "Quick start"
      mfa: {
        smsTemplate: (user) => `Hi ${user.firstName}, your Acme code is {{code}}`,
        pendingTtlSeconds: 600,
        maxAttempts: 5,
        smsSendLimit: { points: 5, durationSeconds: 3600 },
      },
    });
    return login;
  };
  login = make();

  await login.rules.create({
    name: 'MFA for staff',
    method: 'mfa',
    priority: 10,
    totpOrganizationName: 'Acme', // the issuer shown in authenticator apps
    lookupAttributes: { isStaff: true },
  });

  login.on('mfaEnrolled', async ({ user, factor }) => {
    await sendMail(user.email, 'Two-step verification is on', `${factor.type === 'sms' ? 'A phone' : 'An authenticator app'} was added to your account.`);
  });
  login.on('mfaReset', async ({ user }) => {
    await sendMail(user.email, 'Two-step verification was reset', 'Your second factor and recovery codes were removed.');
  });
  login.on('mfaChanged', async ({ user, action }) => {
    await sendMail(user.email, 'Two-step verification changed', action === 'remove' ? 'Your second factor was removed.' : 'Your second factor is being replaced.');
  });
  login.on('loginFailed', ({ user, reason, ip }) => {
    if (reason === 'second_factor_failed') alertSecurity(`wrong second factor for user ${user?.id} from ${ip}`);
  });

  app = express();
  app.use(session({ secret: 'docs', resave: false, saveUninitialized: false }));
  app.use('/accounts', login);
  app.get('/private', login.requireLogin, (req, res) => void res.send(`hello ${req.user!.username}`));
});
afterAll(async () => {
  await emulator.close();
  await db.close();
});

async function post(agent: ReturnType<typeof supertest.agent>, path: string, fields: Record<string, string>, page = path) {
  const token = csrfFrom((await agent.get(page)).text);
  return agent.post(path).type('form').send({ _csrf: token, ...fields });
}

describe('docs/mfa.md: examples', () => {
  it('SMS: the template function, the events and resetMfa', async () => {
    const user = await createUser(db.prisma, { username: 'ada', email: 'ada@acme.test', firstName: 'Ada', password: 'correct horse battery' });
    await db.prisma.user.update({ where: { id: user.id }, data: { isStaff: true } });
    const agent = supertest.agent(app);
    const password = await post(agent, '/accounts/login/', { username: 'ada', password: 'correct horse battery' });
    expect(password.headers.location).toBe('/accounts/enroll/');
    await post(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550006' });

    const sms = emulator.outbox.latest('+15005550006'); // { kind: 'sms', body: 'Hi Ada, your Acme code is 123456', code: '123456', … }
    expect(sms).toMatchObject({ kind: 'sms', body: `Hi Ada, your Acme code is ${sms!.code}` });

    const wrong = await post(agent, '/accounts/enroll-sms/', { action: 'verify', code: sms!.code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatch(new RegExp(`^wrong second factor for user ${user.id} from \\S+$`));
    const shown = await post(agent, '/accounts/enroll-sms/', { action: 'verify', code: sms!.code! });
    expect(shown.status).toBe(200);
    await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect((await agent.get('/private')).text).toBe('hello ada');
    expect(mails).toEqual([{ to: 'ada@acme.test', subject: 'Two-step verification is on', text: 'A phone was added to your account.' }]);

    const result = await login.resetMfa(user.id);
    // result: { factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 }
    expect(result).toEqual({ factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 });
    expect(mails.at(-1)).toEqual({ to: 'ada@acme.test', subject: 'Two-step verification was reset', text: 'Your second factor and recovery codes were removed.' });
    expect((await agent.get('/private')).status).toBe(303);
  });

  it('TOTP: the code from otplib at the emulator\'s time', async () => {
    const user = await createUser(db.prisma, { username: 'bob', email: 'bob@acme.test', password: 'correct horse battery' });
    await db.prisma.user.update({ where: { id: user.id }, data: { isStaff: true } });
    const agent = supertest.agent(app);
    await post(agent, '/accounts/login/', { username: 'bob', password: 'correct horse battery' });
    await post(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/enroll/');
    const page = await agent.get('/accounts/enroll-totp/');
    expect(page.text).toContain('Account: bob@acme.test · Issuer: Acme');
    const secret = /<code class="ewl-secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)![1]!.replace(/ /g, '');

    const code = authenticator.clone({ epoch: emulator.clock.now() }).generate(secret);
    const shown = await post(agent, '/accounts/enroll-totp/', { action: 'verify', code });
    expect(shown.status).toBe(200);
    expect(mails.at(-1)).toEqual({ to: 'bob@acme.test', subject: 'Two-step verification is on', text: 'An authenticator app was added to your account.' });

    // Your own factor: mfa/ replaces it after the password.
    await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    const replaced = await post(agent, '/accounts/mfa/', { action: 'replace', password: 'correct horse battery' });
    expect(replaced.headers.location).toBe('/accounts/enroll/');
    expect(mails.at(-1)).toEqual({ to: 'bob@acme.test', subject: 'Two-step verification changed', text: 'Your second factor is being replaced.' });
  });
});
