// The `magic` method with the local provider (no WorkOS): our own single-use, expiring, hashed token links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/password/tokens.ts';
import { createTestApp, csrf, csrfFrom, isLoggedIn, type TestApp } from '../support/app.ts';
import {
  INVALID_TEXT,
  LOCAL_LINK,
  NOT_ALLOWED_TEXT,
  SENT_TEXT,
  askAtLogin,
  confirm,
  landingPath,
  linksFor,
  magicConfig,
  seedMagicUsers,
  type MagicSeed,
} from './support.ts';

let t: TestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({ config: magicConfig('local') });
  seed = await seedMagicUsers(t);
});
afterAll(() => t.close());

async function newLink(next?: string): Promise<string> {
  const before = linksFor(t, seed.ids.magic).length;
  const res = await askAtLogin(t.agent(), 'mia', next);
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/accounts/complete/');
  const links = linksFor(t, seed.ids.magic);
  expect(links).toHaveLength(before + 1);
  return links.at(-1)!;
}

describe('magic link, local provider', () => {
  it('step 2 sends a link through sendMagicLink and shows "check your email"', async () => {
    const agent = t.agent();
    const res = await askAtLogin(agent, 'mia');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/complete/');
    const event = t.events.of('sendMagicLink').at(-1)!;
    expect(event.user).toMatchObject({ id: seed.ids.magic, username: 'mia', email: 'Mia@Magic.test' });
    expect(event.user).not.toHaveProperty('passwordHash');
    expect(event.rule).toEqual({ id: seed.rules.magic, name: 'Magic for magic.test', method: 'magic' });
    expect(event.link).toMatch(LOCAL_LINK);
    const page = await agent.get('/accounts/complete/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Check your email');
    expect(page.text).toContain(SENT_TEXT);
    expect(page.text).toContain('expires in 10 minutes');
  });

  it('stores only the hash of the token, with the rule and next', async () => {
    // Threat (item 38): a database leak hands out working login links.
    const link = await newLink('/reports/?q=1');
    const token = LOCAL_LINK.exec(link)![1]!;
    const rows = await t.prisma.magicLinkToken.findMany({ where: { userId: seed.ids.magic } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({ ruleId: seed.rules.magic, next: '/reports/?q=1', usedAt: null });
    expect(rows[0]!.expiresAt.getTime() - t.clock.now).toBe(600_000);
  });

  it('GET shows a confirmation page and consumes nothing; the POST logs in and goes to next', async () => {
    // Threat (item 39): a mail scanner that fetches the link uses it up or logs in.
    const link = await newLink('/reports/?q=1');
    const agent = t.agent();
    const path = await landingPath(link);
    for (let i = 0; i < 2; i++) {
      const page = await agent.get(path);
      expect(page.status).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('Log in as <strong>mia</strong>?');
      expect(page.text).toContain('<button type="submit" class="ewl-button">Log in</button>');
    }
    expect(await isLoggedIn(agent)).toBe(false);
    const row = await t.prisma.magicLinkToken.findFirst({ where: { userId: seed.ids.magic } });
    expect(row!.usedAt).toBeNull();

    const res = await confirm(agent, path);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/reports/?q=1');
    expect(await isLoggedIn(agent)).toBe(true);
    const login = t.events.of('login').at(-1)!;
    expect(login).toMatchObject({ user: { id: seed.ids.magic }, rule: { id: seed.rules.magic, method: 'magic' }, method: 'magic' });
  });

  it('a used link is refused, with a way to ask for a new one', async () => {
    // Threat (item 38): a link read later from the mailbox or history logs in again.
    const link = await newLink();
    const path = await landingPath(link);
    expect((await confirm(t.agent(), path)).status).toBe(303);
    const again = t.agent();
    const page = await again.get(path);
    expect(page.status).toBe(400);
    expect(page.text).toContain(INVALID_TEXT);
    expect(page.text).toContain('href="/accounts/magic/"');
    expect(page.text).not.toContain('name="token"');
    const token = LOCAL_LINK.exec(link)![1]!;
    const replay = await again.post('/accounts/callback/magic/').type('form').send({ _csrf: await csrf(again), token });
    expect(replay.status).toBe(400);
    expect(replay.text).toContain(INVALID_TEXT);
    expect(await isLoggedIn(again)).toBe(false);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: null, reason: 'link_invalid' });
  });

  it('a link expires after magicLink.ttlSeconds (10 minutes)', async () => {
    // Threat (item 38): an old link left in a mailbox stays a key forever.
    const link = await newLink();
    const agent = t.agent();
    const path = await landingPath(link);
    const page = await agent.get(path);
    expect(page.status).toBe(200);
    t.clock.advance(600_001);
    const res = await agent.post('/accounts/callback/magic/').type('form').send({ _csrf: csrfFrom(page.text), token: LOCAL_LINK.exec(link)![1]! });
    expect(res.status).toBe(400);
    expect(res.text).toContain(INVALID_TEXT);
    expect(await isLoggedIn(agent)).toBe(false);
    expect((await agent.get(path)).text).toContain(INVALID_TEXT);
  });

  it('a new link invalidates every older one', async () => {
    // Threat (item 38): many live links for one account multiply the chances of one leaking.
    const first = await newLink();
    const second = await newLink();
    const agent = t.agent();
    const old = await agent.get(await landingPath(first));
    expect(old.status).toBe(400);
    expect(old.text).toContain(INVALID_TEXT);
    expect((await confirm(agent, await landingPath(second))).status).toBe(303);
  });

  it('works in another browser than the one that asked (the token alone, bound to user and rule)', async () => {
    const asker = t.agent();
    await askAtLogin(asker, 'mia');
    const other = t.agent();
    const res = await confirm(other, await landingPath(linksFor(t, seed.ids.magic).at(-1)!));
    expect(res.status).toBe(303);
    expect(await isLoggedIn(other)).toBe(true);
    expect(await isLoggedIn(asker)).toBe(false);
  });

  it('?username=…&start=true on a GET only shows a button; the mail goes out on its POST', async () => {
    // Threat: a GET (link prefetch, <img src>, crawler) makes us email any user, bypassing CSRF protection.
    const agent = t.agent();
    const before = t.events.of('sendMagicLink').length;
    const page = await agent.get('/accounts/login/?username=mia&start=true&next=%2Fdeep%2F');
    expect(page.status).toBe(200);
    expect(page.text).toContain('We will email a login link to the address of <strong>mia</strong>.');
    expect(page.text).toContain('action="/accounts/magic/"');
    expect(t.events.of('sendMagicLink')).toHaveLength(before);
    const sent = await agent.post('/accounts/magic/').type('form').send({ _csrf: csrfFrom(page.text), username: 'mia', next: '/deep/' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/accounts/complete/');
    expect(t.events.of('sendMagicLink')).toHaveLength(before + 1);
    const res = await confirm(t.agent(), await landingPath(linksFor(t, seed.ids.magic).at(-1)!));
    expect(res.headers.location).toBe('/deep/');
  });

  it('an unsafe next is replaced by the default, when asked and again when used', async () => {
    // Threat (item 1): an open redirect after a magic-link login.
    const link = await newLink('//evil.example/');
    const res = await confirm(t.agent(), await landingPath(link));
    expect(res.headers.location).toBe('/accounts/profile/');
  });

  it('refuses a link whose user moved to a rule without magic links since it was sent', async () => {
    // Threat (items 10, 45): a link issued under a magic rule still logs in after the admin required MFA or SSO.
    const link = await newLink();
    const agent = t.agent();
    const path = await landingPath(link);
    const page = await agent.get(path);
    expect(page.status).toBe(200);
    await t.login.rules.update(seed.rules.magic, { name: 'Magic for magic.test', method: 'mfa', priority: 10, emailRegex: '@magic\\.test$', totpOrganizationName: 'Acme' });
    try {
      const res = await agent.post('/accounts/callback/magic/').type('form').send({ _csrf: csrfFrom(page.text), token: LOCAL_LINK.exec(link)![1]! });
      expect(res.status).toBe(403);
      expect(res.text).toContain(NOT_ALLOWED_TEXT);
      expect(await isLoggedIn(agent)).toBe(false);
      expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: { id: seed.ids.magic }, reason: 'method_not_allowed' });
    } finally {
      // A partial update: the mfa-only field is cleared explicitly.
      await t.login.rules.update(seed.rules.magic, { name: 'Magic for magic.test', method: 'magic', priority: 10, emailRegex: '@magic\\.test$', totpOrganizationName: '' });
    }
  });

  it('refuses a link issued under another rule, even if the new rule is also magic', async () => {
    // Threat (item 45): a link outlives the rule it was issued under.
    const link = await newLink();
    await t.prisma.magicLinkToken.updateMany({ where: { userId: seed.ids.magic }, data: { ruleId: seed.rules.emailMfa } });
    const page = await t.agent().get(await landingPath(link));
    expect(page.status).toBe(403);
    expect(page.text).toContain(NOT_ALLOWED_TEXT);
  });

  it('refuses a link of a user deactivated after it was sent', async () => {
    // Threat (item 47): a disabled account logs in with a link mailed just before.
    const link = await newLink();
    await t.prisma.user.update({ where: { id: seed.ids.magic }, data: { isActive: false } });
    try {
      const page = await t.agent().get(await landingPath(link));
      expect(page.status).toBe(400);
      expect(page.text).toContain(INVALID_TEXT);
    } finally {
      await t.prisma.user.update({ where: { id: seed.ids.magic }, data: { isActive: true } });
    }
  });

  it('malformed and unknown tokens are refused without touching a session', async () => {
    const agent = t.agent();
    for (const path of ['/accounts/callback/magic/', '/accounts/callback/magic/?token=short', `/accounts/callback/magic/?token=${'A'.repeat(43)}`]) {
      const page = await agent.get(path);
      expect(page.status).toBe(400);
      expect(page.text).toContain(INVALID_TEXT);
    }
  });

  it('every POST needs the CSRF token', async () => {
    // Threat (item 26): another site makes a browser ask for links or use one (login CSRF).
    const link = await newLink();
    const agent = t.agent();
    const before = t.events.of('sendMagicLink').length;
    const ask = await agent.post('/accounts/magic/').type('form').send({ username: 'mia' });
    expect(ask.status).toBe(403);
    expect(ask.text).toContain('Your form expired or was sent from another site.');
    const step2 = await agent.post('/accounts/login/').type('form').send({ username: 'mia' });
    expect(step2.status).toBe(403);
    expect(t.events.of('sendMagicLink')).toHaveLength(before);
    const use = await agent.post('/accounts/callback/magic/').type('form').send({ token: LOCAL_LINK.exec(link)![1]! });
    expect(use.status).toBe(403);
    expect(await isLoggedIn(agent)).toBe(false);
    expect((await confirm(agent, await landingPath(link))).status).toBe(303);
  });
});
