// The one store of single-use hashed tokens, for password-reset and magic-link tokens alike. Only hashes are
// stored; a new token of a user replaces their older ones; using one is an atomic flip of `usedAt`.
import type { ResetTokenStore, TokenStore } from './ports.ts';
import { asDb, hasModel, type Db, type Delegate, type MagicLinkRow, type PrismaLike, type TokenRow } from './types.ts';

type TokenModel = 'passwordResetToken' | 'magicLinkToken';

export class TokenRepository<Row extends TokenRow> implements TokenStore<Row> {
  constructor(
    protected readonly db: Db,
    private readonly model: TokenModel,
  ) {}

  protected delegate(tx: Db): Delegate<Row> {
    return tx[this.model] as unknown as Delegate<Row>;
  }

  async issue(token: Omit<Row, 'id' | 'usedAt' | 'createdAt'>): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await this.delegate(tx).deleteMany({ where: { userId: token.userId } });
      await this.delegate(tx).create({ data: { ...token } });
    });
  }

  async findValid(tokenHash: string, now: Date): Promise<Row | null> {
    const row = await this.delegate(this.db).findUnique({ where: { tokenHash } });
    if (!row || row.usedAt || row.expiresAt.getTime() <= now.getTime()) return null;
    return row;
  }

  async consume(id: number, now: Date): Promise<boolean> {
    return consumeIn(this.delegate(this.db), id, now);
  }

  async prune(now: Date, limit: number): Promise<number> {
    const dead = { OR: [{ usedAt: { not: null } }, { expiresAt: { lte: now } }] };
    // deleteMany takes no limit: pick the batch's ids first (an index-ordered scan), then delete those.
    const rows = await this.delegate(this.db).findMany({ where: dead, select: { id: true }, orderBy: { id: 'asc' }, take: limit });
    if (rows.length === 0) return 0;
    return (await this.delegate(this.db).deleteMany({ where: { ...dead, id: { in: rows.map((r) => r.id) } } })).count;
  }
}

async function consumeIn(delegate: Delegate<TokenRow>, id: number, now: Date): Promise<boolean> {
  const { count } = await delegate.updateMany({ where: { id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  return count === 1;
}

export class ResetTokenRepository extends TokenRepository<TokenRow> implements ResetTokenStore {
  constructor(db: Db) {
    super(db, 'passwordResetToken');
  }

  consumeAndSetPassword(token: Pick<TokenRow, 'id' | 'userId'>, passwordHash: string, now: Date): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      if (!(await consumeIn(tx.passwordResetToken, token.id, now))) return false;
      await tx.user.update({ where: { id: token.userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
      await tx.passwordResetToken.deleteMany({ where: { userId: token.userId, id: { not: token.id } } });
      return true;
    });
  }
}

/** Magic-link tokens, or null when the host's client lacks the (optional) MagicLinkToken model. */
export function magicLinkTokenStore(prisma: PrismaLike): TokenStore<MagicLinkRow> | null {
  return hasModel(prisma, 'magicLinkToken') ? new TokenRepository<MagicLinkRow>(asDb(prisma), 'magicLinkToken') : null;
}
