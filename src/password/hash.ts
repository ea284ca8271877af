// bcrypt, asynchronous (libuv thread pool) so the event loop stays free. bcrypt silently ignores bytes
// past the 72nd, so longer passwords are pre-hashed with HMAC-SHA-256 (base64, 44 bytes) first.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Logger } from '../config.ts';
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

/** bcrypt's lowest cost: a stored hash claiming less is not a hash bcrypt made. */
const MIN_COST = 4;

export class PasswordHasher implements Hasher {
  /** Hashes of a fixed password, one per cost, made on first use. */
  private readonly dummies = new Map<number, Promise<string>>();

  /** Costs above the configured one already reported (once each per process). */
  private readonly reported = new Set<number>();

  constructor(
    private readonly cost: number,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  hash(password: string): Promise<string> {
    return hashPassword(password, this.cost);
  }

  private dummy(cost: number): Promise<string> {
    let hash = this.dummies.get(cost);
    if (!hash) this.dummies.set(cost, (hash = hashPassword('express-workos-login dummy password', cost)));
    return hash;
  }

  /**
   * Compares a password with a stored hash, and a failure always costs what one compare at the configured cost
   * costs, whatever the stored hash: without a usable hash (unknown user, SSO-only user) that is a compare
   * against a dummy; a hash of a lower cost c (made before the cost was raised, or imported) is topped up with
   * dummy compares at costs c, c+1, …, C−1, since 2^c + (2^c + 2^(c+1) + … + 2^(C−1)) = 2^C. Otherwise an
   * attacker could tell real accounts from unknown names by how fast a wrong password is refused.
   * A hash of a higher cost than configured cannot be made cheaper: it answers slower, and a warning says so once.
   */
  async verify(password: string, stored: string | null | undefined): Promise<boolean> {
    const input = bcryptInput(password);
    const cost = stored ? bcryptCost(stored) : 0;
    if (!stored || cost === 0) {
      await bcrypt.compare(input, await this.dummy(this.cost));
      return false;
    }
    const valid = await bcrypt.compare(input, stored);
    if (cost > this.cost && !this.reported.has(cost)) {
      this.reported.add(cost);
      this.logger?.warn(
        `express-workos-login: a stored password hash has bcrypt cost ${cost}, above password.bcryptCost ${this.cost}: wrong passwords for such users answer slower than for unknown names; set password.bcryptCost to at least ${cost}`,
      );
    }
    // A success needs no padding: the response says the password was right, and the rehash costs 2^C anyway.
    if (!valid) {
      for (let c = Math.max(cost, MIN_COST); c < this.cost; c++) await bcrypt.compare(input, await this.dummy(c));
    }
    return valid;
  }

  /** True when the stored hash was made with a lower cost than configured: rehash at the next login. */
  needsRehash(stored: string): boolean {
    return bcryptCost(stored) < this.cost;
  }
}
