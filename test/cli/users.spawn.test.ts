// `express-workos-login users …` as a real process against this file's real database (and the WorkOS emulator for
// the MFA factors), and `--help` on every rules and users command (which needs no database).
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDetails } from '../../src/index.ts';
import { createTestApp, createUser, isLoggedIn, PASSWORD, passwordLogin, type WorkosTestApp } from '../support/app.ts';
import { enrollTotpUser, MFA_RULE, mfaUser } from '../support/mfa.ts';
import { cli, json } from './support.ts';

let t: WorkosTestApp;
let env: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
  const { port } = t.emulator.sdkOptions;
  // The CLI reaches WorkOS (the emulator) through the usual variables.
  env = { WORKOS_API_KEY: t.emulator.apiKey, WORKOS_CLIENT_ID: t.emulator.clientId, WORKOS_API_HOSTNAME: t.emulator.sdkOptions.apiHostname, WORKOS_API_PORT: String(port), WORKOS_API_HTTPS: 'false' };
});
afterAll(() => t.close());

describe('users', { timeout: 180_000 }, () => {
  it('show, then reset-mfa: factors gone here and at WorkOS, sessions ended, audited', async () => {
    await mfaUser(t, 'mara', { email: 'mara@acme.test' });
    const { agent } = await enrollTotpUser(t, 'mara');
    const factor = (await t.prisma.mfaFactor.findFirstOrThrow({ where: { user: { username: 'mara' } } })).workosFactorId;
    const shown = await cli(t.db, ['users', 'show', 'mara@acme.test'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^User #\d+ mara <mara@acme\.test>\n {2}rule: "MFA Required group" \(mfa\): .+\n {2}MFA factors: totp #\d+; 10 recovery code\(s\) left\n {2}SSO identities: none\n$/);
    const reset = await cli(t.db, ['users', 'reset-mfa', 'mara', '--json'], { env });
    expect(reset.code).toBe(0);
    expect(json(reset)).toEqual({ factorsRemoved: 1, recoveryCodesRemoved: 10, workosDeleteFailures: 0 });
    expect(reset.stderr).toMatch(/^audit: user\.resetMfa user #\d+ "mara" by cli:\S+ at .+"after":\{"factors":\[\],"recoveryCodesLeft":0\}/m);
    expect(await t.prisma.mfaFactor.count({ where: { user: { username: 'mara' } } })).toBe(0);
    // Deleted at WorkOS too.
    await expect(new WorkOS(t.emulator.apiKey, t.emulator.sdkOptions).mfa.getFactor(factor)).rejects.toThrow();
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('unlink-sso by organization; nothing to unlink is an error (exit 1)', async () => {
    const u = await createUser(t.prisma, { username: 'sven', email: 'sven@acme.test' });
    await t.prisma.ssoIdentity.create({ data: { userId: u.id, scope: 'org:org_acme', idpId: 'sven-1', profileId: 'p', connectionId: 'conn_acme_saml', organizationId: 'org_acme' } });
    const res = await cli(t.db, ['users', 'unlink-sso', 'sven', 'org_acme']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Unlinked 1 SSO identity(ies) of sven: org:org_acme (sven-1).\n');
    expect(await t.prisma.ssoIdentity.count({ where: { userId: u.id } })).toBe(0);
    const none = await cli(t.db, ['users', 'unlink-sso', 'sven', 'org_acme', '--json']);
    expect(none.code).toBe(1);
    expect(json(none)).toEqual({ error: { code: 'target_not_found', message: 'sven has no SSO identity of org_acme' } });
  });

  it('end-sessions, deactivate and reactivate (found by email even when inactive)', async () => {
    await createUser(t.prisma, { username: 'erik', email: 'Erik@acme.test' });
    const agent = t.agent();
    await passwordLogin(agent, 'erik', PASSWORD);
    const ended = await cli(t.db, ['users', 'end-sessions', 'erik']);
    expect(ended.stdout).toBe('Every session of erik ends at its next request.\n');
    expect(await isLoggedIn(agent)).toBe(false);
    expect((await cli(t.db, ['users', 'deactivate', 'erik', '--json'])).stdout).toContain('"deactivated": true');
    expect((await t.prisma.user.findUniqueOrThrow({ where: { username: 'erik' } })).isActive).toBe(false);
    const back = await cli(t.db, ['users', 'reactivate', 'erik@ACME.test']);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe('Reactivated erik.\n');
    expect(json<UserDetails>(await cli(t.db, ['users', 'show', 'erik', '--json'])).user).toMatchObject({ username: 'erik', isActive: true });
  });

  it('an unknown user: exit 1 and a clear message; a missing argument: exit 2', async () => {
    const res = await cli(t.db, ['users', 'end-sessions', 'nobody']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('error: no user is named "nobody"\n');
    const usage = await cli(null, ['users', 'unlink-sso', 'sven']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^missing the connection or organization id\n\nUsage: express-workos-login users unlink-sso/);
  });
});

describe('--help on every command', { timeout: 180_000 }, () => {
  const commands = [
    ['rules', 'list'],
    ['rules', 'show'],
    ['rules', 'add'],
    ['rules', 'edit'],
    ['rules', 'delete'],
    ['rules', 'move'],
    ['rules', 'export'],
    ['rules', 'import'],
    ['rules', 'explain'],
    ['rules', 'preview'],
    ['users', 'show'],
    ['users', 'reset-mfa'],
    ['users', 'unlink-sso'],
    ['users', 'end-sessions'],
    ['users', 'deactivate'],
    ['users', 'reactivate'],
  ];

  it('each prints its usage and options, exits 0, and needs no database', async () => {
    const noDb = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:9/none', PRISMA_PROVIDER: 'postgres' };
    const results = await Promise.all([...commands.map((c) => cli(null, [...c, '--help'], { env: noDb })), cli(null, ['rules', '--help']), cli(null, ['users', '-h']), cli(null, ['--help'])]);
    for (const [i, c] of commands.entries()) {
      const r = results[i]!;
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout, c.join(' ')).toMatch(new RegExp(`^Usage: express-workos-login ${c.join(' ')}`));
      expect(r.stdout, c.join(' ')).toContain('--json');
      expect(r.stdout, c.join(' ')).toContain('prisma.config.ts');
    }
    // The field options come from the modules' declarations, grouped like the admin form.
    const add = results[2]!.stdout;
    expect(add).toContain('SSO options (sso, GoogleOAuth, MicrosoftOAuth):\n  --connection-id <text>\n      WorkOS connection id. e.g. conn_01H');
    expect(add).toContain('  --jit-creation off|attributes|idp\n');
    expect(add).toContain('  --link-existing-by-email true|false|default\n');
    expect(add).toContain('MFA options (mfa):\n  --totp-organization-name <text>\n      Issuer name in authenticator apps.');
    const [rules, users, top] = results.slice(-3);
    expect(rules!.stdout).toContain('  preview [fields] --file f [--id <id>]');
    expect(users!.stdout).toContain('  unlink-sso <username> <connection|org>');
    expect(top!.stdout).toMatch(/ {2}rules +list, show, add, edit/);
    expect(top!.stdout).toMatch(/ {2}users +show a user/);
  });
});
