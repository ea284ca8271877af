// Lazy cleanup of single-use tokens: issuing a reset or magic link also deletes used and expired tokens of
// everyone, at most one batch of TOKEN_PRUNE_BATCH per TOKEN_PRUNE_EVERY_MS per instance. Unexpired, unused tokens
// (other people's pending links) are never touched, nor the link just issued.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_PRUNE_BATCH, TOKEN_PRUNE_EVERY_MS } from '../../src/login/cleanup.ts';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';
import { newResetLink } from '../password/support.ts';
import { askAtLogin, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from '../magic-link/support.ts';

let t: TestApp;
let seed: MagicSeed;
let owner: number;
let waiting: number;

beforeAll(async () => {
  t = await createTestApp({ config: { ...magicConfig('local'), password: { resetLimit: { points: 10, durationSeconds: 3600 } } } });
  seed = await seedMagicUsers(t);
  owner = (await createUser(t.prisma, { username: 'tidy', email: 'tidy@example.test' })).id;
  waiting = (await createUser(t.prisma, { username: 'waiting', email: 'waiting@example.test' })).id;
});
afterAll(() => t.close());

const hash = () => randomBytes(32).toString('hex');

/** `dead` used-or-expired tokens spread over throwaway users, plus one live token of `waiting`. */
async function seedTokens(model: 'passwordResetToken' | 'magicLinkToken', dead: number): Promise<void> {
  const now = t.clock.now;
  const users: number[] = [];
  for (let i = 0; i < 4; i++) users.push((await createUser(t.prisma, { username: `${model}-${i}-${hash().slice(0, 6)}` })).id);
  const data = Array.from({ length: dead }, (_, i) => ({
    userId: users[i % users.length]!,
    tokenHash: hash(),
    expiresAt: new Date(i % 2 ? now - 1000 : now + 3_600_000),
    usedAt: i % 2 ? null : new Date(now - 5000),
  }));
  data.push({ userId: waiting, tokenHash: hash(), expiresAt: new Date(now + 3_600_000), usedAt: null });
  const delegate = t.prisma[model] as unknown as { createMany(a: { data: typeof data }): Promise<unknown> };
  await delegate.createMany({ data });
}

const dead = async (model: 'passwordResetToken' | 'magicLinkToken') => {
  const delegate = t.prisma[model] as unknown as { count(a: object): Promise<number> };
  return delegate.count({ where: { OR: [{ usedAt: { not: null } }, { expiresAt: { lte: new Date(t.clock.now) } }] } });
};
const liveOf = async (model: 'passwordResetToken' | 'magicLinkToken', userId: number) => {
  const delegate = t.prisma[model] as unknown as { count(a: object): Promise<number> };
  return delegate.count({ where: { userId, usedAt: null, expiresAt: { gt: new Date(t.clock.now) } } });
};

describe('token cleanup', () => {
  it('a reset request deletes one bounded batch of dead reset tokens, then waits a minute before the next', async () => {
    await seedTokens('passwordResetToken', TOKEN_PRUNE_BATCH + 100);
    expect(await dead('passwordResetToken')).toBe(TOKEN_PRUNE_BATCH + 100);

    await newResetLink(t, owner, 'tidy@example.test');
    expect(await dead('passwordResetToken')).toBe(100);
    expect(await liveOf('passwordResetToken', waiting)).toBe(1);
    expect(await liveOf('passwordResetToken', owner)).toBe(1);

    // Within the minute, another request deletes nothing more.
    await newResetLink(t, owner, 'tidy@example.test');
    expect(await dead('passwordResetToken')).toBe(100);

    t.clock.advance(TOKEN_PRUNE_EVERY_MS + 1);
    await newResetLink(t, owner, 'tidy@example.test');
    expect(await dead('passwordResetToken')).toBe(0);
    expect(await liveOf('passwordResetToken', waiting)).toBe(1);
  });

  it('a magic link request deletes dead magic-link tokens the same way, and keeps the new link', async () => {
    t.clock.advance(TOKEN_PRUNE_EVERY_MS + 1);
    await seedTokens('magicLinkToken', 40);
    expect(await dead('magicLinkToken')).toBe(40);
    const before = linksFor(t, seed.ids.magic).length;
    expect((await askAtLogin(t.agent(), 'mia')).status).toBe(303);
    expect(linksFor(t, seed.ids.magic)).toHaveLength(before + 1);
    expect(await dead('magicLinkToken')).toBe(0);
    expect(await liveOf('magicLinkToken', waiting)).toBe(1);
    expect(await liveOf('magicLinkToken', seed.ids.magic)).toBe(1);
  });
});
