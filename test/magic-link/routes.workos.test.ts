// The `magic` method with the WorkOS provider, against the emulator through the real SDK: WorkOS emails the link
// (sendCustomEmail false), the callback needs this session's state, and the code is exchanged on the POST only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAGIC_CALLBACK, createTestApp, csrfFrom, isLoggedIn, type WorkosTestApp } from '../support/app.ts';
import { INVALID_TEXT, OTHER_SESSION_TEXT, askAtLogin, confirm, landingPath, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

let t: WorkosTestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, config: magicConfig('workos') });
  seed = await seedMagicUsers(t);
});
beforeEach(() => t.emulator.outbox.clear());
afterAll(() => t.close());

describe('magic link, WorkOS provider, WorkOS sends the email', () => {
  it('creates a passwordless session, has WorkOS email it, and still emits sendMagicLink', async () => {
    const agent = t.agent();
    const res = await askAtLogin(agent, 'mia');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/complete/');
    const mails = t.emulator.outbox.messages({ to: 'Mia@Magic.test' });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.kind).toBe('email');
    const event = t.events.of('sendMagicLink').at(-1)!;
    expect(event.user.id).toBe(seed.ids.magic);
    expect(event.rule).toEqual({ id: seed.rules.magic, name: 'Magic for magic.test', method: 'magic' });
    expect(event.link).toBe(mails[0]!.link);
    expect(event.link.startsWith(`${t.emulator.url}/passwordless/`)).toBe(true);
    const page = await agent.get('/accounts/complete/');
    expect(page.text).toContain('The link works once and expires in 10 minutes. Open it in this browser.');
  });

  it('the landing page (GET) exchanges nothing; its POST logs in and goes to next', async () => {
    // Threat (item 39): a GET of the callback (prefetch, scanner following redirects) logs in or burns the code.
    const agent = t.agent();
    await askAtLogin(agent, 'mia', '/reports/');
    const path = await landingPath(t.emulator.outbox.latest('Mia@Magic.test')!.link!);
    expect(path.startsWith('/accounts/callback/magic/?code=')).toBe(true);
    for (let i = 0; i < 2; i++) {
      const page = await agent.get(path);
      expect(page.status).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('Log in as <strong>mia</strong>?');
    }
    expect(await isLoggedIn(agent)).toBe(false);
    const res = await confirm(agent, path);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/reports/');
    expect(await isLoggedIn(agent)).toBe(true);
    expect(t.events.of('login').at(-1)).toMatchObject({ user: { id: seed.ids.magic }, rule: { id: seed.rules.magic }, method: 'magic' });
  });

  it('a second click on a used WorkOS link shows the "ask for a new one" page', async () => {
    // Threat (item 38): a used link logs in again.
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const link = t.emulator.outbox.latest('Mia@Magic.test')!.link!;
    expect((await confirm(agent, await landingPath(link))).status).toBe(303);
    const second = await fetch(link, { redirect: 'manual' });
    const location = new URL(second.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    const page = await agent.get(location.pathname + location.search);
    expect(page.status).toBe(400);
    expect(page.text).toContain(INVALID_TEXT);
    expect(page.text).toContain('href="/accounts/magic/"');
    // WorkOS's own description is not echoed.
    expect(page.text).not.toContain('already been used.</');
  });

  it('replaying the code and state after a login is refused', async () => {
    // Threat (items 32, 36): a captured callback URL logs in again.
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const path = await landingPath(t.emulator.outbox.latest('Mia@Magic.test')!.link!);
    const page = await agent.get(path);
    const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
    expect((await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) })).status).toBe(303);
    const again = await agent.get(path);
    expect(again.status).toBe(400);
    expect(again.text).toContain(OTHER_SESSION_TEXT);
    const csrf = csrfFrom((await agent.get('/accounts/login/')).text);
    const replay = await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrf });
    expect(replay.status).toBe(400);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ reason: 'link_invalid' });
  });

  it('a link opened in another browser session is refused and not used up', async () => {
    // Threat (items 27, 32): an attacker's link (or one stolen from a mailbox) logs a different browser in.
    const asker = t.agent();
    await askAtLogin(asker, 'mia');
    const path = await landingPath(t.emulator.outbox.latest('Mia@Magic.test')!.link!);
    const other = t.agent();
    const page = await other.get(path);
    expect(page.status).toBe(400);
    expect(page.text).toContain(OTHER_SESSION_TEXT);
    expect(page.text).not.toContain('name="code"');
    const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
    const post = await other.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom((await other.get('/accounts/login/')).text) });
    expect(post.status).toBe(400);
    expect(post.text).toContain(OTHER_SESSION_TEXT);
    expect(await isLoggedIn(other)).toBe(false);
    // The code was not exchanged: the browser that asked can still use it.
    expect((await confirm(asker, path)).status).toBe(303);
  });

  it("another user's state in this session does not log in as that user", async () => {
    // Threat (item 34 class): a link mailed to one user is used with the pending login of another.
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const miaPath = await landingPath(t.emulator.outbox.latest('Mia@Magic.test')!.link!);
    // A second magic user asks in the same browser: the newer pending login replaces mia's.
    await t.prisma.user.create({ data: { username: 'max', email: 'max@magic.test' } });
    await askAtLogin(agent, 'max');
    const page = await agent.get(miaPath);
    expect(page.status).toBe(400);
    expect(page.text).toContain(OTHER_SESSION_TEXT);
    const maxPath = await landingPath(t.emulator.outbox.latest('max@magic.test')!.link!);
    expect((await confirm(agent, maxPath)).status).toBe(303);
    expect((await agent.get('/private')).text).toBe('private for max');
  });

  it('the state expires after magicLink.ttlSeconds even though WorkOS keeps the link 15 minutes', async () => {
    // Threat (item 38): WorkOS's 15-minute minimum stretches the out-of-band window past 10 minutes.
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const link = t.emulator.outbox.latest('Mia@Magic.test')!.link!;
    t.clock.advance(600_001);
    const page = await agent.get(await landingPath(link));
    expect(page.status).toBe(400);
    expect(page.text).toContain(OTHER_SESSION_TEXT);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('a link WorkOS expired comes back as access_denied and is refused', async () => {
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const link = t.emulator.outbox.latest('Mia@Magic.test')!.link!;
    t.emulator.clock.advance(15 * 60_000 + 1);
    const res = await fetch(link, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    const page = await agent.get(location.pathname + location.search);
    expect(page.status).toBe(400);
    expect(page.text).toContain(INVALID_TEXT);
  });

  it("refuses the login when the mailbox that clicked is not the user's email any more", async () => {
    // Threat (spec §5): the profile returned for the code must be the user who asked.
    const agent = t.agent();
    await askAtLogin(agent, 'mia');
    const path = await landingPath(t.emulator.outbox.latest('Mia@Magic.test')!.link!);
    const page = await agent.get(path);
    expect(page.status).toBe(200);
    await t.prisma.user.update({ where: { id: seed.ids.magic }, data: { email: 'mia.new@magic.test' } });
    try {
      const fields = Object.fromEntries(new URL(path, 'http://x').searchParams);
      const res = await agent.post('/accounts/callback/magic/').type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
      expect(res.status).toBe(400);
      expect(res.text).toContain(INVALID_TEXT);
      expect(await isLoggedIn(agent)).toBe(false);
      expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: { id: seed.ids.magic }, reason: 'link_invalid' });
    } finally {
      await t.prisma.user.update({ where: { id: seed.ids.magic }, data: { email: 'Mia@Magic.test' } });
    }
  });

  it('the redirect URI sent to WorkOS comes from baseUrl, never from the Host header', async () => {
    // Threat (item 4): a spoofed Host / X-Forwarded-Host makes the emailed link land on the attacker's site.
    const agent = t.agent();
    const token = csrfFrom((await agent.get('/accounts/login/')).text);
    const res = await agent
      .post('/accounts/login/')
      .set({ Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' })
      .type('form')
      .send({ _csrf: token, username: 'mia' });
    expect(res.status).toBe(303);
    const hop = await fetch(t.emulator.outbox.latest('Mia@Magic.test')!.link!, { redirect: 'manual' });
    const location = new URL(hop.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(MAGIC_CALLBACK);
  });

  it('links never create users: an unknown address gets nothing', async () => {
    const agent = t.agent();
    const before = await t.prisma.user.count();
    const sent = t.events.of('sendMagicLink').length;
    const token = csrfFrom((await agent.get('/accounts/magic/')).text);
    const res = await agent.post('/accounts/magic/').type('form').send({ _csrf: token, username: 'newcomer@magic.test' });
    expect(res.headers.location).toBe('/accounts/complete/');
    expect(t.emulator.outbox.messages()).toHaveLength(0);
    expect(await t.prisma.user.count()).toBe(before);
    expect(t.events.of('sendMagicLink')).toHaveLength(sent);
  });
});
