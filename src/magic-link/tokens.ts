// Local-provider tokens: 256-bit random, stored only as SHA-256 hashes (MagicLinkToken), bound to a user and a
// rule, expiring, single-use (an atomic flip of `usedAt`), and every older token of the user dies on issue. The
// rows live in the single-use token store of src/db/; tokens are made and hashed here.
import type { MagicLinkRow, TokenStore } from '../db/ports.ts';
import type { TokenPruner } from '../login/cleanup.ts';
import { hashToken, looksLikeToken, newToken } from '../password/tokens.ts';
import type { UserId } from '../user-types.ts';

export type { MagicLinkRow } from '../db/ports.ts';

export class MagicLinkTokens {
  constructor(
    private readonly store: TokenStore<MagicLinkRow>,
    private readonly now: () => number,
    private readonly pruner?: TokenPruner,
  ) {}

  async issue(userId: UserId, ruleId: number, next: string, ttlSeconds: number): Promise<{ token: string; hash: string }> {
    const { token, hash } = newToken();
    // A new link invalidates every older one of this user.
    await this.store.issue({ userId, tokenHash: hash, ruleId, next, expiresAt: new Date(this.now() + ttlSeconds * 1000) });
    await this.pruner?.afterIssue();
    return { token, hash };
  }

  /** The unused, unexpired row for a token, or null (malformed tokens never reach the database). */
  async findUsable(token: unknown): Promise<MagicLinkRow | null> {
    if (!looksLikeToken(token)) return null;
    return this.store.findValid(hashToken(token), new Date(this.now()));
  }

  /** Atomic single use: of any number of concurrent calls, exactly one flips `usedAt` and gets true. */
  consume(row: MagicLinkRow): Promise<boolean> {
    return this.store.consume(row.id, new Date(this.now()));
  }
}
