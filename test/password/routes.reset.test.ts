// Password reset by email: one answer for every address, links built from config, hashed single-use
// expiring tokens, no auto-login, other sessions end, SSO users get no link.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, createUser, csrfFrom, isLoggedIn, passwordLogin, type TestApp } from '../support/app.ts';
import { LINK_PATTERN, linksFor, newResetLink, pathOf, postToLink, requestReset, submitNewPassword, tokenOf } from './support.ts';

const OLD = 'old password 123';
const NEW = 'brand new password 456';
// Few enough requests per address and per IP that the reset throttle never interferes here.
const RESET_LIMIT = { points: 10, durationSeconds: 3600 };
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ config: { password: { resetLimit: RESET_LIMIT } } });
});
afterAll(() => t.close());

let n = 0;
async function newUser(domain = 'example.test') {
  n += 1;
  const username = `reset-user-${n}`;
  const user = await createUser(t.prisma, { username, email: `${username}@${domain}`, password: OLD });
  return user;
}

async function expectInvalidPage(res: { status: number; text: string; headers: Record<string, string> }) {
  expect(res.status).toBe(400);
  expect(res.text).toContain('Password reset unsuccessful');
  expect(res.text).toContain(LOGIN_MESSAGES.reset_invalid);
  expect(res.text).not.toContain('name="new_password1"');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

async function loginStatus(username: string, password: string): Promise<number> {
  return (await passwordLogin(t.agent(), username, password)).status;
}

describe('asking for a link', () => {
  it('answers an existing and an unknown address the same way and mails only the existing one', async () => {
    // Threat (items 8, 42): the reset form tells an attacker which addresses have accounts.
    const user = await newUser();
    const sentBefore = t.events.of('sendPasswordReset').length;
    const known = await requestReset(t.agent(), user.email);
    const unknown = await requestReset(t.agent(), 'nobody-here@example.test');
    for (const res of [known, unknown]) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/accounts/password_reset/done/');
    }
    expect(unknown.text).toBe(known.text);
    const sent = t.events.of('sendPasswordReset').slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.user.id).toBe(user.id);
    expect(sent[0]!.user).not.toHaveProperty('passwordHash');
    expect(sent[0]!.link).toMatch(LINK_PATTERN);
    const done = await t.agent().get('/accounts/password_reset/done/');
    expect(done.status).toBe(200);
    expect(done.text).toContain(LOGIN_MESSAGES.reset_sent);
  });

  it('builds the link from baseUrl even when Host and X-Forwarded-Host name another site', async () => {
    // Threat (item 4): a spoofed Host header makes the mail carry a link to the attacker's server.
    const user = await newUser();
    await requestReset(t.agent(), user.email, { Host: 'evil.com' });
    await requestReset(t.agent(), user.email, { 'X-Forwarded-Host': 'evil.com' });
    // Behind a trusted proxy Express itself believes X-Forwarded-Host: the link still must not.
    const proxied = await createTestApp({ configure: (app) => app.set('trust proxy', true) });
    try {
      const other = await createUser(proxied.prisma, { username: 'proxied', email: 'proxied@example.test', password: OLD });
      const res = await requestReset(proxied.agent(), other.email, { 'X-Forwarded-Host': 'evil.com', 'X-Forwarded-Proto': 'https' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/accounts/password_reset/done/');
      const links = [...linksFor(t, user.id), ...linksFor(proxied, other.id)];
      expect(links).toHaveLength(3);
      for (const link of links) {
        expect(link).toMatch(LINK_PATTERN);
        expect(link).not.toContain('evil');
      }
    } finally {
      await proxied.close();
    }
  });

  it('keeps only a SHA-256 hash of the token in the database', async () => {
    // Threat (item 42): a database leak hands out working reset links.
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    const token = tokenOf(link);
    expect(token).toHaveLength(43);
    const rows = await t.prisma.passwordResetToken.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const everything = JSON.stringify(await t.prisma.passwordResetToken.findMany());
    expect(everything).not.toContain(token);
  });

  it('sends no link to a user whose rule is SSO and answers exactly as for anyone else', async () => {
    // Threat (item 45): an SSO-only user gets a local password through the reset form.
    await t.login.rules.create({ name: 'G', method: 'GoogleOAuth', priority: 5, emailRegex: '@corp\\.test$' });
    const user = await newUser('corp.test');
    const sentBefore = t.events.of('sendPasswordReset').length;
    const sso = await requestReset(t.agent(), user.email);
    const unknown = await requestReset(t.agent(), 'nobody-else@example.test');
    expect(sso.status).toBe(303);
    expect(sso.headers.location).toBe('/accounts/password_reset/done/');
    expect(sso.text).toBe(unknown.text);
    expect(t.events.of('sendPasswordReset').length).toBe(sentBefore);
    expect(await t.prisma.passwordResetToken.count({ where: { userId: user.id } })).toBe(0);
  });

  it('rejects a malformed address with a message and sends nothing', async () => {
    const sentBefore = t.events.of('sendPasswordReset').length;
    const res = await requestReset(t.agent(), 'not-an-address');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter a valid email address.');
    expect(t.events.of('sendPasswordReset').length).toBe(sentBefore);
  });
});

describe('using the link', () => {
  it('shows the form on GET without using the link up, and sends no Referer', async () => {
    // Threat (items 39, 42, 51): a mail scanner's GET burns the link, or the token leaks through Referer.
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    for (let i = 0; i < 2; i++) {
      const page = await t.agent().get(pathOf(link));
      expect(page.status).toBe(200);
      expect(page.text).toContain('Enter new password');
      expect(page.text).toContain('name="new_password1"');
      expect(page.text).toContain('name="new_password2"');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    }
    const row = await t.prisma.passwordResetToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.usedAt).toBeNull();
    const res = await submitNewPassword(t.agent(), link, NEW);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/reset/done/');
  });

  it('keeps the link usable after mismatched or too-short passwords and says why', async () => {
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    const agent = t.agent();
    const mismatch = await submitNewPassword(agent, link, NEW, `${NEW}!`);
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain(LOGIN_MESSAGES.password_mismatch);
    expect(mismatch.text).toContain('name="new_password1"');
    expect(mismatch.headers['referrer-policy']).toBe('no-referrer');
    const short = await submitNewPassword(agent, link, 'short');
    expect(short.status).toBe(400);
    expect(short.text).toContain('This password is too short. It must contain at least 8 characters.');
    expect(await loginStatus(user.username, OLD)).toBe(303);
    const again = await t.agent().get(pathOf(link));
    expect(again.status).toBe(200);
    expect(again.text).toContain('name="new_password1"');
    const ok = await submitNewPassword(agent, link, NEW);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/accounts/reset/done/');
  });

  it('sets the new password: the old one stops working, the new one works', async () => {
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    const changedBefore = t.events.of('passwordChanged').length;
    const res = await submitNewPassword(t.agent(), link, NEW);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/reset/done/');
    const done = await t.agent().get('/accounts/reset/done/');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your password has been set.');
    const oldTry = await passwordLogin(t.agent(), user.username, OLD);
    expect(oldTry.status).toBe(401);
    expect(oldTry.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect(await loginStatus(user.username, NEW)).toBe(303);
    const changed = t.events.of('passwordChanged').slice(changedBefore);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ via: 'reset', user: { id: user.id } });
  });

  it('refuses a link that was already used', async () => {
    // Threat (item 42): a link read from mail history or logs resets the password a second time.
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    expect((await submitNewPassword(t.agent(), link, NEW)).status).toBe(303);
    await expectInvalidPage(await t.agent().get(pathOf(link)));
    await expectInvalidPage(await postToLink(t.agent(), link, 'attacker password 1'));
    expect(await loginStatus(user.username, NEW)).toBe(303);
  });

  it('refuses a link past password.resetTtlSeconds', async () => {
    // Threat (item 42): an old, forgotten link still resets the password.
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    const ttlMs = t.login.config.password.resetTtlSeconds * 1000;
    t.clock.advance(ttlMs - 1000);
    expect((await t.agent().get(pathOf(link))).status).toBe(200);
    t.clock.advance(2000);
    await expectInvalidPage(await t.agent().get(pathOf(link)));
    await expectInvalidPage(await postToLink(t.agent(), link, 'attacker password 1'));
    expect(await loginStatus(user.username, OLD)).toBe(303);
  });

  it('invalidates an older link when a newer one is sent', async () => {
    // Threat (item 42): every link ever sent stays usable.
    const user = await newUser();
    const older = await newResetLink(t, user.id, user.email);
    const newer = await newResetLink(t, user.id, user.email);
    expect(newer).not.toBe(older);
    await expectInvalidPage(await t.agent().get(pathOf(older)));
    await expectInvalidPage(await postToLink(t.agent(), older, 'attacker password 1'));
    expect((await submitNewPassword(t.agent(), newer, NEW)).status).toBe(303);
  });

  it('refuses an unknown or malformed token', async () => {
    await expectInvalidPage(await t.agent().get(`/accounts/reset/${'A'.repeat(43)}/`));
    await expectInvalidPage(await t.agent().get('/accounts/reset/short/'));
  });

  it('does not log in the person who reset the password', async () => {
    // Threat (items 42, 46): a reset link acts as a login and skips the rule's second factor.
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    const agent = t.agent();
    const loginsBefore = t.events.of('login').length;
    expect((await submitNewPassword(agent, link, NEW)).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(false);
    expect(t.events.of('login').length).toBe(loginsBefore);
  });

  it('ends every existing session of the user', async () => {
    // Threat (items 42, 47): an attacker's session survives the victim's password reset.
    const user = await newUser();
    const attacker = t.agent();
    expect((await passwordLogin(attacker, user.username, OLD)).status).toBe(303);
    expect(await isLoggedIn(attacker)).toBe(true);
    const link = await newResetLink(t, user.id, user.email);
    expect((await submitNewPassword(t.agent(), link, NEW)).status).toBe(303);
    expect(await isLoggedIn(attacker)).toBe(false);
  });

  it('refuses a link sent before the user’s rule became SSO', async () => {
    // Threat (item 45): a link issued earlier sets a password for a user who must now use SSO.
    const user = await newUser('later-sso.test');
    const link = await newResetLink(t, user.id, user.email);
    expect((await t.agent().get(pathOf(link))).status).toBe(200);
    await t.login.rules.create({ name: 'Later SSO', method: 'GoogleOAuth', priority: 6, emailRegex: '@later-sso\\.test$' });
    await expectInvalidPage(await t.agent().get(pathOf(link)));
    await expectInvalidPage(await postToLink(t.agent(), link, 'attacker password 1'));
    const row = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toBe(user.passwordHash);
  });

  it('lets exactly one of two concurrent submissions of the same link through', async () => {
    // Threat (items 40, 42): a race spends one link twice.
    const user = await newUser();
    const link = await newResetLink(t, user.id, user.email);
    const [a, b] = [t.agent(), t.agent()];
    const [pageA, pageB] = await Promise.all([a.get(pathOf(link)), b.get(pathOf(link))]);
    const [resA, resB] = await Promise.all([
      a.post(pathOf(link)).type('form').send({ _csrf: csrfFrom(pageA.text), new_password1: 'first racer pw', new_password2: 'first racer pw' }),
      b.post(pathOf(link)).type('form').send({ _csrf: csrfFrom(pageB.text), new_password1: 'second racer pw', new_password2: 'second racer pw' }),
    ]);
    const statuses = [resA.status, resB.status].sort();
    expect(statuses).toEqual([303, 400]);
    const [winner, loser] = resA.status === 303 ? ['first racer pw', resB] : ['second racer pw', resA];
    expect(loser.text).toContain(LOGIN_MESSAGES.reset_invalid);
    const other = winner === 'first racer pw' ? 'second racer pw' : 'first racer pw';
    expect(await loginStatus(user.username, winner)).toBe(303);
    expect(await loginStatus(user.username, other)).toBe(401);
  });
});
