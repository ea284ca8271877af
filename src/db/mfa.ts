// MFA rows in the host's database: saved factors (WorkOS ids) and hashed recovery codes. Codes are made and
// hashed in src/mfa/; only their hashes come here.
import type { MfaRows } from './ports.ts';
import type { Db, FactorRow, FactorType } from './types.ts';
import type { UserId } from '../user-types.ts';

export class MfaRepository implements MfaRows {
  constructor(private readonly db: Db) {}

  factors(userId: UserId): Promise<FactorRow[]> {
    return this.db.mfaFactor.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** A factor is never added from a half-login: when another one enrolled first, nothing is written (null). */
  saveFirstFactor(
    userId: UserId,
    factor: { workosFactorId: string; type: FactorType; phoneNumber?: string },
    recoveryCodeHashes: readonly string[],
  ): Promise<FactorRow | null> {
    return this.db.$transaction(async (tx) => {
      if ((await tx.mfaFactor.count({ where: { userId } })) > 0) return null;
      const saved = await tx.mfaFactor.create({
        data: { userId, workosFactorId: factor.workosFactorId, type: factor.type, phoneNumber: factor.phoneNumber ?? null, lastUsedAt: new Date() },
      });
      await tx.mfaRecoveryCode.deleteMany({ where: { userId } });
      await tx.mfaRecoveryCode.createMany({ data: recoveryCodeHashes.map((codeHash) => ({ userId, codeHash })) });
      return saved;
    });
  }

  async touchFactor(id: number): Promise<void> {
    await this.db.mfaFactor.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }

  async useRecoveryCode(userId: UserId, codeHash: string): Promise<boolean> {
    const { count } = await this.db.mfaRecoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt: new Date() } });
    return count === 1;
  }

  removeAll(userId: UserId): Promise<{ factors: number; recoveryCodes: number }> {
    return this.db.$transaction(async (tx) => {
      const factors = await tx.mfaFactor.deleteMany({ where: { userId } });
      const codes = await tx.mfaRecoveryCode.deleteMany({ where: { userId } });
      await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
      return { factors: factors.count, recoveryCodes: codes.count };
    });
  }
}
