// `magicLink.provider: 'workos-magic-auth'`: WorkOS Magic Auth codes, through the real SDK against the emulator. The
// code is emailed by WorkOS (the emulator's outbox), typed on our page, checked with authenticateWithMagicAuth, and
// logs in the local user the rule matched, with the same rules as links: no enumeration, throttled sends and
// attempts, bound to the session that asked, single use, `next` kept, MFA afterwards.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrf, csrfFrom, isLoggedIn, passwordLogin, sessionIdSet, type Agent, type WorkosTestApp } from '../support/app.ts';
import { whoAmI } from '../support/workos.ts';
import { askAtLogin, askByForm, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

const CODE_SENT = 'If an account that logs in by email matches what you entered, we have sent a 6-digit login code to its email address.';
const WRONG = 'This code is not right. Check the email and try again.';
const EXPIRED = 'This code has expired or has already been used, or it was asked for in another browser. Please ask for a new one.';
const TOO_MANY = 'Too many wrong codes. Please ask for a new one.';

let t: WorkosTestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, config: magicConfig('workos-magic-auth', { magicLink: { codeAttempts: 3 } }) });
  seed = await seedMagicUsers(t);
});
beforeEach(() => {
  t.emulator.outbox.clear();
  t.emulator.requests.clear();
});
afterAll(() => t.close());

/** The code WorkOS emailed to `to` (the emulator's outbox). */
function mailedCode(to: string): string {
  const code = t.emulator.outbox.latest(to)?.code;
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

/** Types `code` on this browser's code page (the token from the ask page, which always has a form). */
async function typeCode(agent: Agent, code: string) {
  const token = await csrf(agent, '/accounts/magic/');
  return agent.post('/accounts/magic/code/').type('form').send({ _csrf: token, code });
}

const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('Magic Auth codes', () => {
  it('send: WorkOS emails a code through createMagicAuth; the code page asks for it', async () => {
    const agent = t.agent();
    const res = await askAtLogin(agent, 'mia');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(t.emulator.requests.list().map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/user_management/magic_auth', 201]]);
    const mail = t.emulator.outbox.latest('Mia@Magic.test')!;
    expect(mail.body).toContain(mail.code!);
    const page = await agent.get('/accounts/complete/');
    expect(page.status).toBe(200);
    expect(page.text).toContain(CODE_SENT);
    expect(page.text).toContain('name="code"');
    expect(page.text).toContain('autocomplete="one-time-code"');
    // WorkOS sends it; the event still says what was sent (the code and where it is typed).
    const event = t.events.of('sendMagicLink').at(-1)!;
    expect(event).toMatchObject({ kind: 'code', code: mail.code, link: 'http://app.test/accounts/complete/', user: { id: seed.ids.magic }, rule: { id: seed.rules.magic } });
    expect(event.expiresAt.getTime()).toBe(t.clock.now + 600_000);
  });

  it('verify: the right code logs the local user in, goes to next and rotates the session id', async () => {
    const agent = t.agent();
    const asked = await askAtLogin(agent, 'mia', '/reports/?tab=1');
    const before = sessionIdSet(asked) ?? sessionIdSet(await agent.get('/accounts/complete/'));
    const res = await typeCode(agent, ` ${mailedCode('Mia@Magic.test').slice(0, 3)} ${mailedCode('Mia@Magic.test').slice(3)} `);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/reports/?tab=1');
    expect(sessionIdSet(res)).toBeTruthy();
    expect(sessionIdSet(res)).not.toBe(before);
    expect(await whoAmI(agent)).toBe('mia');
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { id: seed.ids.magic }, rule: { id: seed.rules.magic }, method: 'magic' });
    expect(t.emulator.requests.latest({ path: '/user_management/authenticate' })).toMatchObject({ status: 200, body: { code: '[masked]', email: 'Mia@Magic.test' } });
  });

  it('a wrong code is refused, the form stays, and the right code still works', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const code = mailedCode('Mia@Magic.test');
    const wrong = await typeCode(agent, otherCode(code));
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain(WRONG);
    expect(wrong.text).toContain('name="code"');
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'mia', user: { id: seed.ids.magic }, reason: 'code_invalid' });
    const malformed = await typeCode(agent, '12ab');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('Please enter the 6-digit code from the email.');
    expect((await typeCode(agent, code)).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('an expired code is refused: our pending code ends with magicLink.ttlSeconds, and WorkOS refuses it after 10 minutes', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    t.clock.advance(601_000);
    const late = await typeCode(agent, mailedCode('Mia@Magic.test'));
    expect(late.status).toBe(400);
    expect(late.text).toContain(EXPIRED);
    expect(late.text).not.toContain('name="code"');
    expect(t.emulator.requests.list({ path: '/user_management/authenticate' })).toEqual([]);

    // WorkOS's own expiry (one_time_code_expired): only the emulator's clock moves past its 10 minutes.
    const other = t.agent();
    await askAtLogin(other, 'mia');
    t.emulator.clock.advance(600_000);
    try {
      const res = await typeCode(other, mailedCode('Mia@Magic.test'));
      expect(res.status).toBe(400);
      expect(res.text).toContain(EXPIRED);
      expect(res.text).not.toContain('name="code"');
      expect(t.emulator.requests.latest({ path: '/user_management/authenticate' })!.status).toBe(400);
    } finally {
      t.emulator.clock.advance(-600_000);
    }
    expect(await isLoggedIn(other)).toBe(false);
  });

  it('a used code does not log in again, in this session or another', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const code = mailedCode('Mia@Magic.test');
    expect((await typeCode(agent, code)).status).toBe(303);
    await agent.post('/accounts/logout/').type('form').send({ _csrf: await csrf(agent, '/accounts/login/') });
    expect(await isLoggedIn(agent)).toBe(false);
    const again = await typeCode(agent, code);
    expect(again.status).toBe(400);
    expect(again.text).toContain(EXPIRED);
    // Asked again, WorkOS itself refuses the old code as used.
    await askAtLogin(agent, 'mia');
    const reused = await typeCode(agent, code);
    expect(reused.status).toBe(400);
    expect(reused.text).toContain(EXPIRED);
    expect(t.emulator.requests.latest({ path: '/user_management/authenticate' })!.status).toBe(400);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('another session cannot use the code: it is bound to the browser that asked', async () => {
    const asker = t.agent();
    await askAtLogin(asker, 'mia');
    const code = mailedCode('Mia@Magic.test');
    const thief = t.agent();
    const stolen = await typeCode(thief, code);
    expect(stolen.status).toBe(400);
    expect(stolen.text).toContain(EXPIRED);
    expect(await isLoggedIn(thief)).toBe(false);
    // Nothing reached WorkOS, and the asker can still log in with it.
    expect(t.emulator.requests.list({ path: '/user_management/authenticate' })).toEqual([]);
    expect((await typeCode(asker, code)).status).toBe(303);
    expect(await whoAmI(asker)).toBe('mia');
  });

  it('attempts are throttled per code: after codeAttempts wrong codes even the right one is refused', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const code = mailedCode('Mia@Magic.test');
    // Parallel guesses count too (the counter is taken before WorkOS is asked).
    const guesses = await Promise.all([1, 2, 3].map((n) => typeCode(agent, String((Number(code) + n) % 1_000_000).padStart(6, '0'))));
    expect(guesses.map((g) => g.status).sort()).toEqual([400, 400, 400]);
    const locked = await typeCode(agent, code);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain(TOO_MANY);
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'mia', reason: 'throttled' });
  });

  it('unknown, inactive and non-magic addresses get the same page and the same answers, and WorkOS is never asked', async () => {
    const answers: string[] = [];
    for (const name of ['mia', 'nobody@nowhere.test', 'ina', 'pat']) {
      const agent = t.agent();
      const asked = await askByForm(agent, name);
      expect(asked.status).toBe(303);
      expect(asked.headers.location).toBe('/accounts/complete/');
      const page = await agent.get('/accounts/complete/');
      const wrong = await typeCode(agent, name === 'mia' ? otherCode(mailedCode('Mia@Magic.test')) : '000000');
      const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
      answers.push(`${page.status} ${strip(page.text)} ${wrong.status} ${strip(wrong.text)}`);
    }
    expect(new Set(answers).size).toBe(1);
    expect(t.emulator.requests.list({ path: '/user_management/magic_auth' })).toHaveLength(1); // mia only
  });

  it('the send limit per address applies, with the same answer', async () => {
    const limited = await createTestApp({
      db: t.db,
      emulator: true,
      config: magicConfig('workos-magic-auth', { magicLink: { sendsPerEmail: { points: 1, durationSeconds: 900 } } }),
    });
    try {
      expect((await askByForm(limited.agent(), 'mia')).headers.location).toBe('/accounts/complete/');
      const second = await askByForm(limited.agent(), 'mia');
      expect(second.status).toBe(303);
      expect(second.headers.location).toBe('/accounts/complete/');
      expect(limited.emulator.outbox.messages({ to: 'Mia@Magic.test' })).toHaveLength(1);
      expect(limited.events.of('loginFailed').at(-1)).toMatchObject({ username: 'mia', reason: 'throttled' });
    } finally {
      await limited.close();
    }
  });

  it('a user with an MFA factor goes on to the factor after the code', async () => {
    const withFactor = await createUser(t.prisma, { username: 'max', email: 'max@magic.test', password: null });
    await t.prisma.mfaFactor.create({ data: { userId: withFactor.id, workosFactorId: 'auth_factor_max', type: 'totp' } });
    const agent = t.agent();
    await askAtLogin(agent, 'max', '/reports/');
    const res = await typeCode(agent, mailedCode('max@magic.test'));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/verify/');
    expect(await isLoggedIn(agent)).toBe(false);
    expect((await agent.get('/accounts/verify/')).text).toContain('value="verify"');
  });

  it('email_mfa: the password, then a code as the second factor', async () => {
    const agent = t.agent();
    const res = await passwordLogin(agent, 'sam', PASSWORD, '/after/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/complete/');
    const page = await agent.get('/accounts/complete/');
    expect(page.text).toContain('Your password was correct. To finish logging in, enter the 6-digit code we have sent to your email address.');
    const done = await typeCode(agent, mailedCode('sam@2fa.test'));
    expect(done.headers.location).toBe('/after/');
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { id: seed.ids.second }, method: 'email_mfa' });
  });

  it('a user disabled after asking cannot use the code, and WorkOS is not asked', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const code = mailedCode('Mia@Magic.test');
    await t.prisma.user.update({ where: { id: seed.ids.magic }, data: { isActive: false } });
    try {
      const res = await typeCode(agent, code);
      expect(res.status).toBe(400);
      expect(res.text).toContain(EXPIRED);
      expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'method_not_allowed' });
      expect(t.emulator.requests.list({ path: '/user_management/authenticate' })).toEqual([]);
    } finally {
      await t.prisma.user.update({ where: { id: seed.ids.magic }, data: { isActive: true } });
    }
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('a code page POST needs the CSRF token', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const res = await agent.post('/accounts/magic/code/').type('form').send({ code: mailedCode('Mia@Magic.test') });
    expect(res.status).toBe(403);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('the request page speaks of codes', async () => {
    const page = await t.agent().get('/accounts/magic/');
    expect(page.text).toContain('Email me a login code');
    expect(csrfFrom(page.text)).toBeTruthy();
  });
});

describe('Magic Auth codes sent by the app (sendCustomEmail)', () => {
  it('emits sendMagicLink with kind "code" and the code; that code logs in', async () => {
    const app = await createTestApp({ db: t.db, emulator: true, config: magicConfig('workos-magic-auth', { magicLink: { sendCustomEmail: true } }) });
    try {
      const agent = app.agent();
      await askAtLogin(agent, 'mia');
      const event = app.events.of('sendMagicLink').at(-1)!;
      expect(event.kind).toBe('code');
      if (event.kind !== 'code') throw new Error('expected a code');
      expect(event.code).toMatch(/^\d{6}$/);
      expect(event.link).toBe('http://app.test/accounts/complete/');
      expect(app.logs.join('\n')).not.toContain(event.code);
      const token = await csrf(agent, '/accounts/complete/');
      const res = await agent.post('/accounts/magic/code/').type('form').send({ _csrf: token, code: event.code });
      expect(res.status).toBe(303);
      expect(await whoAmI(agent)).toBe('mia');
    } finally {
      await app.close();
    }
  });

  it('creates the WorkOS user first when the environment does not sign people up by Magic Auth', async () => {
    const app = await createTestApp({ db: t.db, emulator: true, config: magicConfig('workos-magic-auth') });
    try {
      app.emulator.faults.inject({ method: 'POST', path: '/user_management/magic_auth', status: 400, body: { error: 'sign_up_not_allowed', error_description: 'Sign up is not allowed.' } });
      const agent = app.agent();
      await askAtLogin(agent, 'mia');
      expect(app.emulator.requests.list().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'POST /user_management/magic_auth 400',
        'POST /user_management/users 201',
        'POST /user_management/magic_auth 201',
      ]);
      const token = await csrf(agent, '/accounts/complete/');
      expect((await agent.post('/accounts/magic/code/').type('form').send({ _csrf: token, code: app.emulator.outbox.latest('Mia@Magic.test')!.code })).status).toBe(303);
    } finally {
      await app.close();
    }
  });

  it('WorkOS down when sending: the "try again" page, and no pending code', async () => {
    const app = await createTestApp({ db: t.db, emulator: true, config: magicConfig('workos-magic-auth') });
    try {
      app.emulator.faults.inject({ path: '/user_management/magic_auth', status: 500 });
      const agent = app.agent();
      const res = await askAtLogin(agent, 'mia');
      expect(res.status).toBe(503);
      expect(app.events.of('sendMagicLink')).toEqual([]);
      expect((await agent.get('/accounts/complete/')).text).not.toContain('name="code"');
    } finally {
      await app.close();
    }
  });
});

