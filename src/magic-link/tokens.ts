// Local-provider tokens: 256-bit random, stored only as SHA-256 hashes (MagicLinkToken), bound to a user and a
// rule, expiring, single-use (an atomic flip of `usedAt`), and every older token of the user dies on issue.
import type { Delegate, PrismaLike } from '../db/types.ts';
import { hashToken, looksLikeToken, newToken } from '../password/tokens.ts';

export interface MagicLinkRow {
  id: number;
  userId: number;
  tokenHash: string;
  ruleId: number | null;
  next: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

interface MagicDb {
  magicLinkToken: Delegate<MagicLinkRow>;
  $transaction<R>(fn: (tx: MagicDb) => Promise<R>): Promise<R>;
}

export class MagicLinkTokens {
  private readonly db: MagicDb;

  constructor(
    prisma: PrismaLike,
    private readonly now: () => number,
  ) {
    this.db = prisma as unknown as MagicDb;
  }

  /** Does the host's Prisma client have the MagicLinkToken model? */
  static supported(prisma: PrismaLike): boolean {
    return typeof (prisma as unknown as Record<string, unknown>).magicLinkToken === 'object';
  }

  async issue(userId: number, ruleId: number, next: string, ttlSeconds: number): Promise<{ token: string; hash: string }> {
    const { token, hash } = newToken();
    const expiresAt = new Date(this.now() + ttlSeconds * 1000);
    await this.db.$transaction(async (tx) => {
      // A new link invalidates every older one of this user.
      await tx.magicLinkToken.deleteMany({ where: { userId } });
      await tx.magicLinkToken.create({ data: { userId, tokenHash: hash, ruleId, next, expiresAt } });
    });
    return { token, hash };
  }

  /** The unused, unexpired row for a token, or null (malformed tokens never reach the database). */
  async findUsable(token: unknown): Promise<MagicLinkRow | null> {
    if (!looksLikeToken(token)) return null;
    const row = await this.db.magicLinkToken.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!row || row.usedAt || row.expiresAt.getTime() <= this.now()) return null;
    return row;
  }

  /** Atomic single use: of any number of concurrent calls, exactly one flips `usedAt` and gets true. */
  async consume(row: MagicLinkRow): Promise<boolean> {
    const now = new Date(this.now());
    const { count } = await this.db.magicLinkToken.updateMany({
      where: { id: row.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    return count === 1;
  }
}
