// MFA rows in the host's database: saved factors (WorkOS ids) and hashed recovery codes.
import type { PrismaLike } from '../db/types.ts';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.ts';

export type FactorType = 'totp' | 'sms';

export interface FactorRow {
  id: number;
  userId: number;
  workosFactorId: string;
  type: FactorType;
  phoneNumber: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

type Args = Record<string, unknown>;
interface MfaDb {
  mfaFactor: {
    findMany(args: Args): Promise<FactorRow[]>;
    count(args: Args): Promise<number>;
    create(args: Args): Promise<FactorRow>;
    update(args: Args): Promise<FactorRow>;
    deleteMany(args: Args): Promise<{ count: number }>;
  };
  mfaRecoveryCode: {
    createMany(args: Args): Promise<{ count: number }>;
    updateMany(args: Args): Promise<{ count: number }>;
    deleteMany(args: Args): Promise<{ count: number }>;
  };
  user: { update(args: Args): Promise<unknown> };
  $transaction<R>(fn: (tx: MfaDb) => Promise<R>): Promise<R>;
}

export class MfaStore {
  private readonly db: MfaDb;

  constructor(prisma: PrismaLike) {
    this.db = prisma as unknown as MfaDb;
  }

  /** The user's factors, oldest first (the first one is challenged at login). */
  factors(userId: number): Promise<FactorRow[]> {
    return this.db.mfaFactor.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /**
   * Saves a verified first factor with fresh recovery codes, in one transaction. Returns null when the user
   * gained a factor meanwhile (another half-login enrolled first): a factor is never added from a half-login.
   */
  async saveFirstFactor(
    userId: number,
    factor: { workosFactorId: string; type: FactorType; phoneNumber?: string },
  ): Promise<{ factor: FactorRow; recoveryCodes: string[] } | null> {
    const recoveryCodes = newRecoveryCodes();
    return this.db.$transaction(async (tx) => {
      if ((await tx.mfaFactor.count({ where: { userId } })) > 0) return null;
      const saved = await tx.mfaFactor.create({
        data: { userId, workosFactorId: factor.workosFactorId, type: factor.type, phoneNumber: factor.phoneNumber ?? null, lastUsedAt: new Date() },
      });
      await tx.mfaRecoveryCode.deleteMany({ where: { userId } });
      await tx.mfaRecoveryCode.createMany({ data: recoveryCodes.map((c) => ({ userId, codeHash: hashRecoveryCode(userId, c) })) });
      return { factor: saved, recoveryCodes };
    });
  }

  async touchFactor(id: number): Promise<void> {
    await this.db.mfaFactor.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }

  /** Uses a recovery code once: only one request can flip `usedAt` from null. */
  async consumeRecoveryCode(userId: number, input: string): Promise<boolean> {
    const code = normalizeRecoveryCode(input);
    if (!code) return false;
    const { count } = await this.db.mfaRecoveryCode.updateMany({
      where: { userId, codeHash: hashRecoveryCode(userId, code), usedAt: null },
      data: { usedAt: new Date() },
    });
    return count === 1;
  }

  /** Deletes every factor and recovery code of the user and ends all their sessions. */
  async removeAll(userId: number): Promise<{ factors: number; recoveryCodes: number }> {
    return this.db.$transaction(async (tx) => {
      const factors = await tx.mfaFactor.deleteMany({ where: { userId } });
      const codes = await tx.mfaRecoveryCode.deleteMany({ where: { userId } });
      await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
      return { factors: factors.count, recoveryCodes: codes.count };
    });
  }
}
