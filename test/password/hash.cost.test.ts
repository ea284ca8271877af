// bcrypt cost: new hashes use the configured cost, and older, cheaper hashes are upgraded at login.
import bcrypt from 'bcrypt';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BCRYPT_COST, hashPassword } from '../../src/index.ts';
import { PasswordHasher, bcryptCost } from '../../src/password/hash.ts';
import { PASSWORD, createTestApp, createUser, passwordLogin, type TestApp } from '../support/app.ts';
import { newResetLink, submitNewPassword } from './support.ts';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function app(bcryptCostSetting: number): Promise<TestApp> {
  const t = await createTestApp({ config: { password: { bcryptCost: bcryptCostSetting } } });
  apps.push(t);
  return t;
}

async function storedHash(t: TestApp, id: number): Promise<string> {
  return (await t.prisma.user.findUniqueOrThrow({ where: { id } })).passwordHash!;
}

describe('bcrypt cost', () => {
  it('stores $2b$ hashes with the configured cost (bcryptCost 10)', async () => {
    // Threat (item 13): a cheap or legacy hash makes a leaked database quick to crack.
    const t = await app(10);
    const user = await createUser(t.prisma, { username: 'costly', password: PASSWORD });
    const link = await newResetLink(t, user.id, user.email);
    const res = await submitNewPassword(t.agent(), link, 'a brand new password');
    expect(res.status).toBe(303);
    const hash = await storedHash(t, user.id);
    expect(hash.startsWith('$2b$10$')).toBe(true);
    expect(hash).toHaveLength(60);
    expect(await bcrypt.compare('a brand new password', hash)).toBe(true);
    expect((await new PasswordHasher(10).hash(PASSWORD)).startsWith('$2b$10$')).toBe(true);
  });

  it('uses a default cost of at least 10', async () => {
    // Threat (item 13): a host that sets nothing gets a weak cost.
    const t = await createTestApp({ config: { password: { bcryptCost: undefined } } });
    apps.push(t);
    expect(t.login.config.password.bcryptCost).toBeGreaterThanOrEqual(10);
  });

  it('rehashes at login when the configured cost is higher than the stored one', async () => {
    // Threat (item 13): hashes made under an old, lower cost stay crackable forever.
    const t = await app(5);
    const user = await createUser(t.prisma, { username: 'legacy', password: PASSWORD });
    expect(user.passwordHash!.startsWith('$2b$04$')).toBe(true);
    const res = await passwordLogin(t.agent(), 'legacy', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    const hash = await storedHash(t, user.id);
    expect(hash.startsWith('$2b$05$')).toBe(true);
    // The upgraded hash still takes the same password, and only that one.
    const again = t.agent();
    expect((await passwordLogin(again, 'legacy', PASSWORD)).status).toBe(303);
    expect((await again.get('/private')).text).toBe('private for legacy');
    expect((await passwordLogin(t.agent(), 'legacy', `${PASSWORD}!`)).status).toBe(401);
    expect(await storedHash(t, user.id)).toBe(hash);
  });

  it('does not rehash after a failed login, nor downgrade a stronger hash', async () => {
    const t = await app(5);
    const weak = await createUser(t.prisma, { username: 'weak', password: PASSWORD });
    expect((await passwordLogin(t.agent(), 'weak', 'wrong password')).status).toBe(401);
    expect(await storedHash(t, weak.id)).toBe(weak.passwordHash);
    const strong = await t.prisma.user.create({ data: { username: 'strong', email: 'strong@example.test', passwordHash: await hashPassword(PASSWORD, 6) } });
    expect((await passwordLogin(t.agent(), 'strong', PASSWORD)).status).toBe(303);
    expect(await storedHash(t, strong.id)).toBe(strong.passwordHash);
  });

  it('warns once when a stored hash costs more than the configured cost (its wrong passwords answer slower)', async () => {
    // Threat (item 6): a stored hash stronger than bcryptCost cannot be topped down, so its user answers a wrong
    // password slower than an unknown name; the host must hear about it to raise bcryptCost.
    const t = await app(5);
    await t.prisma.user.create({ data: { username: 'imported', email: 'imported@example.test', passwordHash: await hashPassword(PASSWORD, 7) } });
    await t.prisma.user.create({ data: { username: 'imported2', email: 'imported2@example.test', passwordHash: await hashPassword(PASSWORD, 7) } });
    expect((await passwordLogin(t.agent(), 'imported', 'wrong password')).status).toBe(401);
    expect((await passwordLogin(t.agent(), 'imported2', 'wrong password')).status).toBe(401);
    const warnings = t.logs.filter((l) => l.includes('above password.bcryptCost'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('bcrypt cost 7, above password.bcryptCost 5');
    expect(warnings[0]).not.toContain('imported');
  });

  it('reads the cost of stored hashes and flags only cheaper ones for rehash', () => {
    expect(bcryptCost('$2b$12$' + 'x'.repeat(53))).toBe(12);
    expect(bcryptCost('$2a$05$' + 'x'.repeat(53))).toBe(5);
    expect(bcryptCost('pbkdf2_sha256$600000$salt$hash')).toBe(0);
    expect(bcryptCost('')).toBe(0);
    const hasher = new PasswordHasher(5);
    expect(hasher.needsRehash('$2b$04$' + 'x'.repeat(53))).toBe(true);
    expect(hasher.needsRehash('$2b$05$' + 'x'.repeat(53))).toBe(false);
    expect(hasher.needsRehash('$2b$06$' + 'x'.repeat(53))).toBe(false);
  });

  it('hashPassword(password) without a cost uses the default cost, and a user created with it logs in', async () => {
    // The README's way to create a password user: `passwordHash: await hashPassword('…')`.
    const hash = await hashPassword('first password of ada');
    expect(bcryptCost(hash)).toBe(DEFAULT_BCRYPT_COST);
    expect(DEFAULT_BCRYPT_COST).toBe(12);
    const t = await createTestApp({ config: { password: { bcryptCost: undefined } } });
    apps.push(t);
    expect(t.login.config.password.bcryptCost).toBe(DEFAULT_BCRYPT_COST);
    await t.prisma.user.create({ data: { username: 'ada', email: 'ada@example.test', passwordHash: hash } });
    expect((await passwordLogin(t.agent(), 'ada', 'first password of ada')).status).toBe(303);
    // The configured cost, when a host wants it.
    expect(bcryptCost(await hashPassword('x'.repeat(10), t.login.config.password.bcryptCost))).toBe(12);
  });

  it('hashPassword names a bad cost or password instead of bcrypt\'s "data and salt arguments required"', async () => {
    await expect(hashPassword('a password', 3)).rejects.toThrow('hashPassword: the cost must be an integer from 4 to 31, received 3');
    await expect(hashPassword('a password', 10.5)).rejects.toThrow('received 10.5');
    await expect(hashPassword(undefined as unknown as string)).rejects.toThrow('hashPassword: the password must be a non-empty string');
  });
});
