// A host whose User existed before the library: string (uuid) ids, a mapped table (`users`) and snake_case columns,
// with the library's models added as `init` adds them (prisma/string-ids/host.prisma, scripts/string-ids.ts). Every
// flow that stores a user id (the session, MFA factors, SSO identities, reset and magic-link tokens, half-logins,
// events, the router's helpers) works with it, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDefaultRule } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, passwordLogin, postForm, type TestApp, type WorkosTestApp } from '../support/app.ts';
import { createStringIdDb, type StringIdDb, type TestDb } from '../support/db.ts';
import { MFA_RULE, enrollTotpUser, halfLogin, mfaUser, totpCode } from '../support/mfa.ts';
import { ssoLogin, whoAmI } from '../support/workos.ts';
import { askAtLogin, confirm, landingPath, linksFor as magicLinksFor, magicConfig } from '../magic-link/support.ts';
import { newResetLink, submitNewPassword } from '../password/support.ts';

/** The test helpers return rows typed by the integer-id client; here every id is a string. */
const idOf = (row: { id: unknown }): string => row.id as string;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let db: StringIdDb;
let t: WorkosTestApp;
beforeAll(async () => {
  db = await createStringIdDb();
  // The host's own migrations (as `init` + `migrate dev` make them) have no rule: the host seeds the default one.
  expect(await db.prisma.loginRule.count()).toBe(0);
  await seedDefaultRule(db.prisma);
  t = await createTestApp({
    db: db as unknown as TestDb,
    emulator: true,
    config: { ...magicConfig('local'), emailLookup: true },
    rules: [
      MFA_RULE,
      { name: 'Acme SSO', method: 'sso', priority: 20, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'idp' },
      { name: 'Magic for magic.test', method: 'magic', priority: 30, emailRegex: '@magic\\.test$' },
      { name: 'Ops by display name', method: 'password', priority: 40, lookupAttributes: { displayName: 'Ops' } },
      { name: 'On call by note', method: 'password', priority: 45, lookupAttributes: { notes: { some: { text: 'on call' } } } },
    ],
  });
});
afterAll(async () => {
  await t?.close();
  await db?.close();
});

const sessionUserOf = (app: TestApp): Promise<unknown[]> =>
  new Promise((resolve, reject) =>
    app.store.all((err, all) => (err ? reject(err) : resolve(Object.values(all ?? {}).map((s) => (s as { workosLogin?: { user?: { id: unknown } } }).workosLogin?.user?.id).filter(Boolean)))),
  );

describe('a host with string ids and mapped names', () => {
  it('stores users in its own table and columns', async () => {
    const user = await createUser(t.prisma, { username: 'una', email: 'una@example.test' });
    expect(user.id).toMatch(UUID);
    const rows = await db.prisma.$queryRawUnsafe<{ user_id: string; email_address: string; password_hash: string | null }[]>(
      db.provider === 'sqlite'
        ? 'SELECT user_id, email_address, password_hash FROM users WHERE username = ?'
        : `SELECT user_id, email_address, password_hash FROM "${db.schema}".users WHERE username = $1`,
      'una',
    );
    expect(rows).toEqual([{ user_id: user.id, email_address: 'una@example.test', password_hash: expect.stringMatching(/^\$2b\$04\$/) }]);
    expect(await db.prisma.loginRule.findMany({ select: { name: true } })).toContainEqual({ name: 'Username/password login' });
  });

  it('logs in with a password: the session, the events and req.user carry the string id', async () => {
    const user = await createUser(t.prisma, { username: 'vera', email: 'Vera@Example.test' });
    const agent = t.agent();
    expect((await passwordLogin(agent, 'vera@example.test', PASSWORD)).status).toBe(303);
    expect(await whoAmI(agent)).toBe('vera');
    const login = t.events.of('login').find((e) => e.user.username === 'vera')!;
    expect(login.user.id).toBe(user.id);
    expect(await sessionUserOf(t)).toContain(user.id);

    await t.login.endSessions(user.id);
    expect(await whoAmI(agent)).toBeNull();
    expect((await passwordLogin(agent, 'vera', PASSWORD)).status).toBe(303);
    await t.login.deactivateUser(user.id);
    expect(await whoAmI(agent)).toBeNull();
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: user.id as never } })).isActive).toBe(false);
  });

  it('throttles and reports failures per account by string id', async () => {
    const user = await createUser(t.prisma, { username: 'wil' });
    expect((await passwordLogin(t.agent(), 'wil', 'not the password')).status).toBe(401);
    const failed = t.events.of('loginFailed').find((e) => e.username === 'wil')!;
    expect(failed.user).toEqual({ id: user.id, username: 'wil' });
    expect(failed.reason).toBe('invalid_credentials');
  });

  it('MFA: enrolls a TOTP factor, logs in with it through the half-login, and resetMfa takes the string id', async () => {
    const user = await mfaUser(t, 'mo');
    const { secret } = await enrollTotpUser(t, 'mo');
    const factor = await db.prisma.mfaFactor.findFirstOrThrow({ where: { userId: idOf(user) } });
    expect(factor.userId).toBe(user.id);
    expect(await db.prisma.mfaRecoveryCode.count({ where: { userId: idOf(user) } })).toBe(10);

    const agent = t.agent();
    expect((await halfLogin(agent, 'mo')).location).toBe('/accounts/verify/');
    const verified = await postForm(agent, '/accounts/verify/', { code: totpCode(t, secret) });
    expect(verified.status).toBe(303);
    expect(await whoAmI(agent)).toBe('mo');
    expect(t.events.of('mfaEnrolled').find((e) => e.user.username === 'mo')?.user.id).toBe(user.id);

    const reset = await t.login.resetMfa(user.id);
    expect(reset).toMatchObject({ factorsRemoved: 1, recoveryCodesRemoved: 10 });
    expect(await whoAmI(agent)).toBeNull();
    expect(await t.login.resetMfa('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('SSO: creates the user just in time with a generated uuid and finds it again by its identity', async () => {
    const first = t.agent();
    expect((await ssoLogin(t, first, 'ada@acme.test', { email: 'ada@acme.test' })).status).toBe(303);
    expect(await whoAmI(first)).toBe('ada@acme.test');
    const created = t.events.of('userCreated').find((e) => e.user.username === 'ada@acme.test')!;
    expect(created.user.id).toMatch(UUID);
    const identity = await db.prisma.ssoIdentity.findFirstOrThrow({ where: { userId: idOf(created.user) } });
    expect(identity.scope).toBe('org:org_acme');

    const again = t.agent();
    expect((await ssoLogin(t, again, 'ada@acme.test', { email: 'ada@acme.test' })).status).toBe(303);
    expect(await whoAmI(again)).toBe('ada@acme.test');
    expect(t.events.of('userCreated').filter((e) => e.user.username === 'ada@acme.test')).toHaveLength(1);
    expect(await db.prisma.user.count({ where: { email: 'ada@acme.test' } })).toBe(1);
  });

  it('magic links: the token row and the login carry the string id', async () => {
    const user = await createUser(t.prisma, { username: 'mia', email: 'mia@magic.test', password: null });
    const agent = t.agent();
    expect((await askAtLogin(agent, 'mia')).status).toBe(303);
    const [link] = magicLinksFor(t, user.id as never);
    expect(link).toBeDefined();
    expect(await db.prisma.magicLinkToken.count({ where: { userId: idOf(user) } })).toBe(1);
    expect((await confirm(agent, await landingPath(link!))).status).toBe(303);
    expect(await whoAmI(agent)).toBe('mia');
  });

  it('password reset: the token row carries the string id and the new password logs in', async () => {
    const user = await createUser(t.prisma, { username: 'rex', email: 'rex@example.test' });
    const link = await newResetLink(t, user.id as never, 'rex@example.test');
    expect(await db.prisma.passwordResetToken.count({ where: { userId: idOf(user) } })).toBe(1);
    expect((await submitNewPassword(t.agent(), link, 'a brand new password')).status).toBe(303);
    expect((await passwordLogin(t.agent(), 'rex', 'a brand new password')).status).toBe(303);
  });

  it('rules match on the host\'s own (mapped) fields', async () => {
    await db.prisma.user.create({ data: { username: 'opal', email: 'opal@example.test', displayName: 'Ops' } });
    const explained = await t.login.explain('opal');
    expect(explained.rule?.name).toBe('Ops by display name');
    expect(explained.user?.id).toMatch(UUID);
  });

  it('a rule on the host\'s own relation sees each change of its rows, after they were remembered', async () => {
    const quinn = await db.prisma.user.create({ data: { username: 'quinn', email: 'quinn@example.test' } });
    const ruleOf = async () => (await t.login.explain('quinn')).rule?.name;
    const fallback = await ruleOf();
    expect(fallback).not.toBe('On call by note');
    expect(await ruleOf()).toBe(fallback); // quinn's notes (none) are remembered
    const note = await db.prisma.note.create({ data: { authorId: quinn.id, text: 'on call' } });
    expect(await ruleOf()).toBe('On call by note');
    expect(await ruleOf()).toBe('On call by note');
    await db.prisma.note.update({ where: { id: note.id }, data: { text: 'off duty' } });
    expect(await ruleOf()).toBe(fallback);
  });
});
