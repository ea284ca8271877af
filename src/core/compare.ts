// The one constant-time comparison for secrets (CSRF tokens, magic-link nonces, SSO state hashes).
import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for secrets of any length (strings compare as UTF-8). Only the length may leak, as it
 * does for every comparison of unequal-length secrets.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
