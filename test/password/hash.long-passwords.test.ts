// bcrypt ignores bytes past the 72nd; passwords longer than that must still be compared in full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PasswordHasher } from '../../src/password/hash.ts';
import { TEST_BCRYPT_COST, createTestApp, createUser, passwordLogin, type TestApp } from '../support/app.ts';

const X = 'a'.repeat(72) + 'X';
const Y = 'a'.repeat(72) + 'Y';
// 100 bytes of UTF-8: 90 ASCII characters and 5 two-byte ones.
const HUNDRED_BYTES = 'p'.repeat(90) + 'ééééé';
const hasher = new PasswordHasher(TEST_BCRYPT_COST);
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'y72', password: Y });
  await createUser(t.prisma, { username: 'hundred', password: HUNDRED_BYTES });
});
afterAll(() => t.close());

describe('passwords past 72 bytes', () => {
  it('PasswordHasher: a×72+"X" does not verify against the hash of a×72+"Y"', async () => {
    // Threat (item 14): bcrypt's silent truncation accepts any password that shares the first 72 bytes.
    const hash = await hasher.hash(Y);
    expect(await hasher.verify(X, hash)).toBe(false);
    expect(await hasher.verify('a'.repeat(72), hash)).toBe(false);
    expect(await hasher.verify(Y, hash)).toBe(true);
    // The boundary itself: a 72-byte password is not confused with its 73-byte extension.
    const at72 = await hasher.hash('a'.repeat(72));
    expect(await hasher.verify('a'.repeat(72), at72)).toBe(true);
    expect(await hasher.verify(X, at72)).toBe(false);
  });

  it('PasswordHasher: a 100-byte password round-trips and a change in its last byte fails', async () => {
    // Threat (item 14): the tail of a long passphrase is ignored.
    expect(Buffer.byteLength(HUNDRED_BYTES)).toBe(100);
    const hash = await hasher.hash(HUNDRED_BYTES);
    expect(hash.startsWith(`$2b$0${TEST_BCRYPT_COST}$`)).toBe(true);
    expect(await hasher.verify(HUNDRED_BYTES, hash)).toBe(true);
    expect(await hasher.verify(HUNDRED_BYTES.slice(0, -1) + 'è', hash)).toBe(false);
  });

  it('HTTP login: a×72+"X" is refused for a user whose password is a×72+"Y"', async () => {
    // Threat (item 14): an attacker who knows (or guesses) the first 72 bytes logs in.
    const agent = t.agent();
    const res = await passwordLogin(agent, 'y72', X);
    expect(res.status).toBe(401);
    expect(res.text).toContain(LOGIN_MESSAGES.invalid_credentials);
    expect((await agent.get('/private')).status).toBe(303);
    const ok = t.agent();
    const good = await passwordLogin(ok, 'y72', Y);
    expect(good.status).toBe(303);
    expect((await ok.get('/private')).text).toBe('private for y72');
  });

  it('HTTP login: a 100-byte password logs in', async () => {
    const agent = t.agent();
    const res = await passwordLogin(agent, 'hundred', HUNDRED_BYTES);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/private')).text).toBe('private for hundred');
  });
});
