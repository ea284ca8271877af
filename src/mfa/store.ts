// MFA's view of its rows: recovery codes are made and hashed here (only hashes reach the database, through the
// `MfaRows` repository of src/db/).
import type { FactorRow, FactorType, MfaRows } from '../db/ports.ts';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.ts';
import type { UserId } from '../user-types.ts';

export type { FactorRow, FactorType } from '../db/ports.ts';

export class MfaStore {
  constructor(private readonly rows: MfaRows) {}

  /** The user's factors, oldest first (the first one is challenged at login). */
  factors(userId: UserId): Promise<FactorRow[]> {
    return this.rows.factors(userId);
  }

  /**
   * Saves a verified first factor with fresh recovery codes, in one transaction. Returns null when the user
   * gained a factor meanwhile (another half-login enrolled first): a factor is never added from a half-login.
   */
  async saveFirstFactor(
    userId: UserId,
    factor: { workosFactorId: string; type: FactorType; phoneNumber?: string },
  ): Promise<{ factor: FactorRow; recoveryCodes: string[] } | null> {
    const recoveryCodes = newRecoveryCodes();
    const saved = await this.rows.saveFirstFactor(userId, factor, recoveryCodes.map((c) => hashRecoveryCode(userId, c)));
    return saved ? { factor: saved, recoveryCodes } : null;
  }

  touchFactor(id: number): Promise<void> {
    return this.rows.touchFactor(id);
  }

  /** Uses a recovery code once: only one request can flip `usedAt` from null. */
  async consumeRecoveryCode(userId: UserId, input: string): Promise<boolean> {
    const code = normalizeRecoveryCode(input);
    if (!code) return false;
    return this.rows.useRecoveryCode(userId, hashRecoveryCode(userId, code));
  }

  /** Deletes every factor and recovery code of the user and ends all their sessions. */
  removeAll(userId: UserId): Promise<{ factors: number; recoveryCodes: number }> {
    return this.rows.removeAll(userId);
  }
}
