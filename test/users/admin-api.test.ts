// `login.users`: find any user (active or not), see their factors (no secrets), identities, rule and recent logins,
// and reset MFA, unlink an SSO identity, end sessions, deactivate and reactivate — each audited with adminChange.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, type RecentLogin } from '../../src/index.ts';
import { createTestApp, createUser, isLoggedIn, PASSWORD, passwordLogin, type WorkosTestApp } from '../support/app.ts';
import { enrollSmsUser, MFA_RULE, mfaUser } from '../support/mfa.ts';

let t: WorkosTestApp;
const recorded: RecentLogin[] = [];
beforeAll(async () => {
  t = await createTestApp({
    emulator: true,
    rules: [MFA_RULE],
    config: { admin: { recentLogins: (user) => recorded.filter(() => user.username === 'mo') } },
  });
});
afterAll(() => t.close());

describe('finding users', () => {
  it('by username, or by a unique email ignoring case; inactive users too', async () => {
    const u = await createUser(t.prisma, { username: 'finn', email: 'Finn@Example.test', isActive: false });
    expect((await t.login.users.find('finn'))?.id).toBe(u.id);
    expect((await t.login.users.find('finn@example.TEST'))?.id).toBe(u.id);
    expect(await t.login.users.find('nobody')).toBeNull();
    expect((await t.login.users.find('finn'))).not.toHaveProperty('passwordHash');
    expect((await t.login.users.search('FINN')).map((x) => x.username)).toEqual(['finn']);
  });
});

describe("a user's page", () => {
  it('factors with only the last digits of a phone, recovery codes left, identities, the rule and recent logins', async () => {
    const mo = await mfaUser(t, 'mo', { email: 'mo@example.test' });
    await enrollSmsUser(t, 'mo', '+15005550006');
    await t.prisma.ssoIdentity.create({ data: { userId: mo.id, scope: 'org:org_acme', idpId: 'mo-1', profileId: 'prof_mo', connectionId: 'conn_acme_saml', organizationId: 'org_acme', connectionType: 'OktaSAML' } });
    recorded.push({ at: new Date(t.clock.now), method: 'mfa', ok: true, ip: '203.0.113.5' });
    const details = await t.login.users.get(mo.id);
    expect(details.user).toMatchObject({ id: mo.id, username: 'mo' });
    expect(details.user).not.toHaveProperty('passwordHash');
    expect(details.factors).toEqual([{ id: expect.any(Number) as number, type: 'sms', phoneHint: '…06', createdAt: expect.any(Date) as Date, lastUsedAt: expect.any(Date) as Date }]);
    expect(JSON.stringify(details)).not.toContain('5550006');
    expect(details.recoveryCodesLeft).toBe(10);
    expect(details.identities.map((i) => [i.scope, i.idpId, i.connectionId])).toEqual([['org:org_acme', 'mo-1', 'conn_acme_saml']]);
    expect(details.rule?.name).toBe('MFA Required group');
    expect(details.recentLogins).toEqual(recorded);
  });

  it('recent logins come from the host (none for this user); a user that does not exist is a NotFoundError', async () => {
    const u = await createUser(t.prisma, { username: 'quiet' });
    expect((await t.login.users.get(u.id)).recentLogins).toEqual([]);
    await expect(t.login.users.get(99_999)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('actions, each audited', () => {
  it('reset MFA: factors and recovery codes gone, sessions ended, mfaReset and adminChange (factor ids and types only)', async () => {
    await mfaUser(t, 'rita');
    const { agent } = await enrollSmsUser(t, 'rita', '+15005550007');
    const rita = (await t.login.users.find('rita'))!;
    const factor = (await t.login.users.get(rita.id)).factors[0]!;
    const result = await t.login.users.resetMfa(rita.id, { actor: { type: 'cli', name: 'ops' } });
    expect(result).toEqual({ factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 });
    expect((await t.login.users.get(rita.id)).factors).toEqual([]);
    expect(await isLoggedIn(agent)).toBe(false);
    const change = t.events.of('adminChange').at(-1)!;
    expect(change).toMatchObject({
      actor: { type: 'cli', name: 'ops' },
      action: 'user.resetMfa',
      target: { type: 'user', id: rita.id, name: 'rita' },
      before: { factors: [{ id: factor.id, type: 'sms' }], recoveryCodesLeft: 10 },
      after: { factors: [], recoveryCodesLeft: 0 },
    });
    expect(JSON.stringify(change)).not.toContain('5550007');
    expect(t.events.of('mfaReset').at(-1)!.user.username).toBe('rita');
  });

  it('unlink SSO by connection, organization or scope; nothing matching unlinks nothing and emits nothing', async () => {
    const u = await createUser(t.prisma, { username: 'uma' });
    await t.prisma.ssoIdentity.createMany({
      data: [
        { userId: u.id, scope: 'org:org_acme', idpId: 'uma-a', profileId: 'p1', connectionId: 'conn_acme_saml', organizationId: 'org_acme' },
        { userId: u.id, scope: 'conn:conn_solo_saml', idpId: 'uma-s', profileId: 'p2', connectionId: 'conn_solo_saml' },
        { userId: u.id, scope: 'conn:conn_google', idpId: 'uma-g', profileId: 'p3', connectionId: 'conn_google' },
      ],
    });
    const from = t.events.of('adminChange').length;
    expect(await t.login.users.unlinkSso(u.id, 'conn_other')).toEqual([]);
    expect(t.events.of('adminChange').length).toBe(from);
    expect((await t.login.users.unlinkSso(u.id, 'org_acme')).map((i) => i.idpId)).toEqual(['uma-a']);
    expect((await t.login.users.unlinkSso(u.id, 'conn:conn_solo_saml')).map((i) => i.idpId)).toEqual(['uma-s']);
    expect((await t.login.users.unlinkSso(u.id, 'conn_google')).map((i) => i.idpId)).toEqual(['uma-g']);
    expect(await t.prisma.ssoIdentity.count({ where: { userId: u.id } })).toBe(0);
    expect(t.events.of('adminChange').slice(from).map((e) => [e.action, e.before])).toEqual([
      ['user.unlinkSso', { identities: [{ scope: 'org:org_acme', idpId: 'uma-a', connectionId: 'conn_acme_saml', organizationId: 'org_acme' }] }],
      ['user.unlinkSso', { identities: [{ scope: 'conn:conn_solo_saml', idpId: 'uma-s', connectionId: 'conn_solo_saml', organizationId: '' }] }],
      ['user.unlinkSso', { identities: [{ scope: 'conn:conn_google', idpId: 'uma-g', connectionId: 'conn_google', organizationId: '' }] }],
    ]);
  });

  it('end sessions; deactivate (sessions end, no login) and reactivate (login again, old sessions stay ended)', async () => {
    const u = await createUser(t.prisma, { username: 'dora' });
    const first = t.agent();
    await passwordLogin(first, 'dora', PASSWORD);
    expect(await isLoggedIn(first)).toBe(true);
    await t.login.users.endSessions(u.id);
    expect(await isLoggedIn(first)).toBe(false);

    const second = t.agent();
    await passwordLogin(second, 'dora', PASSWORD);
    await t.login.users.deactivate(u.id, { actor: { type: 'api', name: 'support-bot' } });
    expect(await isLoggedIn(second)).toBe(false);
    expect(await isLoggedIn(await loginAgain('dora'))).toBe(false);
    await t.login.users.reactivate(u.id);
    expect(await isLoggedIn(second)).toBe(false);
    expect(await isLoggedIn(await loginAgain('dora'))).toBe(true);
    const events = t.events.of('adminChange').filter((e) => e.target.id === u.id);
    expect(events.map((e) => [e.action, e.before, e.after, e.actor])).toEqual([
      ['user.endSessions', { sessionVersion: 0 }, { sessionVersion: 1 }, { type: 'api' }],
      ['user.deactivate', { isActive: true }, { isActive: false }, { type: 'api', name: 'support-bot' }],
      ['user.reactivate', { isActive: false }, { isActive: true }, { type: 'api' }],
    ]);
  });

  it("the router's endSessions, deactivateUser and resetMfa go the same way (audited); resetMfa of nobody is null", async () => {
    const u = await createUser(t.prisma, { username: 'olaf' });
    const from = t.events.of('adminChange').length;
    await t.login.endSessions(u.id);
    await t.login.deactivateUser(u.id);
    expect(t.events.of('adminChange').slice(from).map((e) => e.action)).toEqual(['user.endSessions', 'user.deactivate']);
    expect(await t.login.resetMfa(99_999)).toBeNull();
    await expect(t.login.users.endSessions(99_999)).rejects.toThrow('no user has id 99999');
  });
});

async function loginAgain(username: string) {
  const agent = t.agent();
  await passwordLogin(agent, username, PASSWORD);
  return agent;
}
