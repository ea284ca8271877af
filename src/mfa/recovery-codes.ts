// Recovery codes: 10 random single-use codes of 10 base32 characters (50 bits), shown once as
// `ABCDE-FGHJK` and stored as SHA-256 hashes bound to the user.
import { createHash, randomBytes } from 'node:crypto';
import type { UserId } from '../user-types.ts';

export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 10;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Fresh codes for display, grouped in fives. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    // 32 symbols: each random byte's low 5 bits pick one, uniformly.
    const raw = [...randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]).join('');
    codes.add(`${raw.slice(0, 5)}-${raw.slice(5)}`);
  }
  return [...codes];
}

/** What the person typed, as stored: upper case, without spaces or dashes; null when it cannot be a code. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/** The stored form: bound to the user so equal codes of two users never collide. */
export function hashRecoveryCode(userId: UserId, code: string): string {
  const normalized = normalizeRecoveryCode(code) ?? code;
  return createHash('sha256').update(`${userId}:${normalized}`).digest('hex');
}
