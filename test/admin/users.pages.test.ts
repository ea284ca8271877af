// The admin's user pages over real HTTP: find a user, see their factors, identities, rule and sessions, and run the
// actions (each a CSRF-protected POST through `login.users`, audited as the admin).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, csrfFrom, isLoggedIn, PASSWORD, passwordLogin, type Agent, type WorkosTestApp } from '../support/app.ts';
import { enrollTotpUser, MFA_RULE, mfaUser } from '../support/mfa.ts';

const ADMIN = '/accounts/admin/';
let t: WorkosTestApp;
let agent: Agent;
let token: string;

beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { admin: { enabled: true } } });
  const admin = await createUser(t.prisma, { username: 'admin', email: 'admin@corp.test' });
  await t.prisma.user.update({ where: { id: admin.id }, data: { isStaff: true } });
  agent = t.agent();
  await passwordLogin(agent, 'admin', PASSWORD);
  token = csrfFrom((await agent.get(`${ADMIN}rules/new/`)).text);
});
afterAll(() => t.close());

const post = (path: string, fields: Record<string, string> = {}) => agent.post(path).type('form').send({ _csrf: token, ...fields });

describe('user pages', () => {
  it('search by part of a username or email; a user page with factors, identities, the rule and the actions', async () => {
    await mfaUser(t, 'marta', { email: 'marta@acme.test' });
    const { agent: marta } = await enrollTotpUser(t, 'marta');
    const user = (await t.login.users.find('marta'))!;
    await t.prisma.ssoIdentity.create({ data: { userId: user.id as number, scope: 'org:org_acme', idpId: 'marta-1', profileId: 'p', connectionId: 'conn_acme_saml', organizationId: 'org_acme', connectionType: 'OktaSAML' } });

    const found = await agent.get(`${ADMIN}users/?q=ACME.test`);
    expect(found.text).toContain(`<a href="${ADMIN}users/${user.id}/">marta</a>`);
    expect((await agent.get(`${ADMIN}users/?q=zzz`)).text).toContain('No user matches “zzz”.');

    const page = await agent.get(`${ADMIN}users/${user.id}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>marta</h1>');
    expect(page.text).toContain('“MFA Required group” (mfa)');
    expect(page.text).toMatch(/<li>TOTP, added \d{4}-/);
    expect(page.text).toContain('10 unused recovery code(s).');
    expect(page.text).toContain('<td>conn_acme_saml (OktaSAML)</td><td>org_acme</td><td>marta-1</td>');
    for (const action of ['reset-mfa', 'unlink-sso', 'end-sessions', 'deactivate']) expect(page.text).toContain(`action="${ADMIN}users/${user.id}/${action}/"`);
    // No login history unless the host provides one.
    expect(page.text).not.toContain('Recent logins');

    const reset = await post(`${ADMIN}users/${user.id}/reset-mfa/`);
    expect(reset.status).toBe(303);
    expect(reset.headers.location).toBe(`${ADMIN}users/${user.id}/`);
    const after = await agent.get(reset.headers.location as string);
    expect(after.text).toContain('MFA was reset: 1 factor(s) and 10 recovery code(s) removed, sessions ended.');
    expect(await isLoggedIn(marta)).toBe(false);

    expect((await post(`${ADMIN}users/${user.id}/unlink-sso/`, { key: 'org:org_acme' })).status).toBe(303);
    expect(await t.prisma.ssoIdentity.count({ where: { userId: user.id as number } })).toBe(0);
    expect(t.events.of('adminChange').slice(-2).map((e) => [e.action, e.actor.type])).toEqual([
      ['user.resetMfa', 'user'],
      ['user.unlinkSso', 'user'],
    ]);
  });

  it('deactivate and reactivate; an admin cannot deactivate themself from the page', async () => {
    const u = await createUser(t.prisma, { username: 'dan' });
    await post(`${ADMIN}users/${u.id}/deactivate/`);
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).isActive).toBe(false);
    const page = await agent.get(`${ADMIN}users/${u.id}/`);
    expect(page.text).toContain('no (cannot log in)');
    expect(page.text).toContain(`action="${ADMIN}users/${u.id}/reactivate/"`);
    await post(`${ADMIN}users/${u.id}/reactivate/`);
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).isActive).toBe(true);
    const me = (await t.login.users.find('admin'))!;
    expect((await agent.get(`${ADMIN}users/${me.id}/`)).text).not.toContain('/deactivate/');
    await post(`${ADMIN}users/${me.id}/deactivate/`);
    expect((await agent.get(`${ADMIN}users/${me.id}/`)).text).toContain('You cannot deactivate your own account here.');
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: me.id as number } })).isActive).toBe(true);
  });

  it('unknown users are the not-found page', async () => {
    expect((await agent.get(`${ADMIN}users/99999/`)).status).toBe(404);
    expect((await post(`${ADMIN}users/99999/end-sessions/`)).status).toBe(404);
  });
});
