// The README's promise, end to end on the example app: log in with a password, fail, reset the password via
// the delivered link, change it, log out. Runs the example's own code on a fresh database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom } from '../../test/support/app.ts';
import { DEMO_PASSWORD, seedDemo } from './seed.ts';
import { post, startDemo, type Demo } from './test-support.ts';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
  await seedDemo(demo.db.prisma, demo.login); // a second time: idempotent
});
afterAll(() => demo.close());

describe('example app', () => {
  it('seeds the demo rules once', async () => {
    const rules = await demo.db.prisma.loginRule.findMany({ orderBy: { priority: 'asc' } });
    expect(rules.map((r) => r.method)).toEqual(['mfa', 'magic', 'sso', 'sso', 'GoogleOAuth', 'MicrosoftOAuth', 'password']);
  });

  it('seeds the demo users at the configured bcrypt cost', async () => {
    // Threat (item 6): demo users seeded at a cost below the configured one answered a wrong password about 3.5
    // times faster than an unknown name (cost 10 against the default 12).
    const users = await demo.db.prisma.user.findMany({ where: { passwordHash: { not: null } } });
    expect(users.length).toBeGreaterThanOrEqual(4);
    const cost = String(demo.login.config.password.bcryptCost).padStart(2, '0');
    for (const u of users) expect({ username: u.username, prefix: u.passwordHash!.slice(0, 7) }).toEqual({ username: u.username, prefix: `$2b$${cost}$` });
  });

  it('the login admin is enabled for admin, and for no one else', async () => {
    const admin = demo.agent();
    expect((await post(admin, '/accounts/login/', { username: 'admin', password: DEMO_PASSWORD })).status).toBe(303);
    expect((await admin.get('/accounts/profile/')).text).toContain('<a href="/accounts/admin/">Login admin</a>');
    const page = await admin.get('/accounts/admin/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Foo Corp SAML');
    const pat = demo.agent();
    await post(pat, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD });
    expect((await pat.get('/accounts/admin/')).status).toBe(403);
  });

  it('password login, failure, reset by link, change, logout', async () => {
    const agent = demo.agent();
    const failed = await post(agent, '/accounts/login/', { username: 'pat', password: 'wrong' });
    expect(failed.status).toBe(401);
    expect(failed.text).toContain('Please enter a correct username and password');

    const ok = await post(agent, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD });
    expect(ok.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).text).toContain('pat@acme.test');
    const logout = await agent.post('/accounts/logout/').type('form').send({ _csrf: csrfFrom((await agent.get('/accounts/profile/')).text) });
    expect(logout.status).toBe(303);
    expect((await agent.get('/accounts/profile/')).status).toBe(303);

    const reset = await post(agent, '/accounts/password_reset/', { email: 'pat@acme.test' });
    expect(reset.headers.location).toBe('/accounts/password_reset/done/');
    const mail = demo.mails.find((m) => m.kind === 'password-reset' && m.to === 'pat@acme.test');
    expect(mail?.link).toMatch(/^http:\/\/localhost:3000\/accounts\/reset\/[\w-]{43}\/$/);
    const path = new URL(mail!.link).pathname;
    const done = await post(agent, path, { new_password1: 'a brand new secret', new_password2: 'a brand new secret' });
    expect(done.headers.location).toBe('/accounts/reset/done/');

    expect((await post(agent, '/accounts/login/', { username: 'pat', password: DEMO_PASSWORD })).status).toBe(401);
    expect((await post(agent, '/accounts/login/', { username: 'pat', password: 'a brand new secret' })).status).toBe(303);

    const changed = await post(agent, '/accounts/password_change/', {
      old_password: 'a brand new secret',
      new_password1: 'changed again 42',
      new_password2: 'changed again 42',
    });
    expect(changed.headers.location).toBe('/accounts/password_change/done/');
    expect((await agent.get('/accounts/profile/')).status).toBe(200);
  });
});
