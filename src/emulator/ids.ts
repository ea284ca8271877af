// Identifiers in the shapes WorkOS uses (ULID-like, prefixed), so code that logs or pattern-matches
// them sees realistic values.
import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += CROCKFORD[(bytes[i % bytes.length] ?? 0) % 32];
  return out;
}

/** A 26-character ULID: 10 characters of time, 16 random ones. */
export function ulid(nowMs: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + base32(randomBytes(16), 16);
}

export function prefixedId(prefix: string, nowMs: number): string {
  return `${prefix}_${ulid(nowMs)}`;
}

/**
 * Deterministic id from its parts: the same user on the same connection keeps the same profile id
 * across emulator restarts, as it would in WorkOS.
 */
export function stableId(prefix: string, ...parts: readonly string[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  return `${prefix}_01${base32(digest, 24)}`;
}

/** An unguessable opaque token (codes, access tokens, magic-link tokens). */
export function secretToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function requestId(): string {
  return `req_fake_${randomBytes(12).toString('hex')}`;
}
