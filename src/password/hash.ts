// bcrypt, asynchronous (libuv thread pool) so the event loop stays free. bcrypt silently ignores bytes
// past the 72nd, so longer passwords are pre-hashed with HMAC-SHA-256 (base64, 44 bytes) first.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Hasher } from '../context.ts';
import { DEFAULT_BCRYPT_COST } from './config.ts';

const BCRYPT_MAX_BYTES = 72;
// Not a secret: it only separates this use of SHA-256 from any other.
const PREHASH_KEY = 'express-workos-login/bcrypt-prehash/v1';

function bcryptInput(password: string): string {
  if (Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES) return password;
  return createHmac('sha256', PREHASH_KEY).update(password, 'utf8').digest('base64');
}

/**
 * A bcrypt hash for `User.passwordHash` (e.g. to create a password user). The cost defaults to the library's
 * default (`DEFAULT_BCRYPT_COST`); pass `login.config.password.bcryptCost` to use the configured one.
 */
export async function hashPassword(password: string, cost: number = DEFAULT_BCRYPT_COST): Promise<string> {
  if (typeof password !== 'string' || password === '') throw new TypeError('hashPassword: the password must be a non-empty string');
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new TypeError(`hashPassword: the cost must be an integer from 4 to 31, received ${String(cost)}`);
  return bcrypt.hash(bcryptInput(password), cost);
}

/** Cost factor of a stored bcrypt hash, or 0 when it is not one. */
export function bcryptCost(hash: string): number {
  const m = /^\$2[aby]\$(\d\d)\$/.exec(hash);
  return m ? Number(m[1]) : 0;
}

export class PasswordHasher implements Hasher {
  private dummy: Promise<string> | null = null;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return hashPassword(password, this.cost);
  }

  /**
   * Compares a password with a stored hash. Without a usable hash (unknown user, SSO-only user) it still
   * runs one bcrypt compare of the configured cost, so every outcome takes the same time.
   */
  async verify(password: string, stored: string | null | undefined): Promise<boolean> {
    if (!stored || bcryptCost(stored) === 0) {
      this.dummy ??= this.hash('express-workos-login dummy password');
      await bcrypt.compare(bcryptInput(password), await this.dummy);
      return false;
    }
    return bcrypt.compare(bcryptInput(password), stored);
  }

  /** True when the stored hash was made with a lower cost than configured: rehash at the next login. */
  needsRehash(stored: string): boolean {
    return bcryptCost(stored) < this.cost;
  }
}
