// Authorization codes and access tokens, shared by SSO (SP- and IdP-initiated) and magic links:
// codes are single-use, expire after 10 minutes and only the client they were issued to may redeem them.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EmulatorClock } from './clock.ts';
import { secretToken, ulid } from './ids.ts';
import type { OauthTokens, Profile } from './profile.ts';

export const CODE_TTL_MS = 10 * 60_000;
export const ACCESS_TOKEN_TTL_S = 600;

export interface CodeRequest {
  clientId: string;
  profile: Profile;
  oauthTokens?: OauthTokens | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: 'S256' | 'plain' | undefined;
}

interface StoredCode extends CodeRequest {
  expiresAt: number;
}

export type Redemption =
  | { ok: true; profile: Profile; oauthTokens: OauthTokens | undefined }
  | { ok: false; description: string };

const EXPIRED_OR_USED = 'The code has expired or has already been used.';

function pkceMatches(stored: StoredCode, verifier: string): boolean {
  const derived =
    stored.codeChallengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
  const a = Buffer.from(derived);
  const b = Buffer.from(stored.codeChallenge ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Grants {
  readonly #codes = new Map<string, StoredCode>();
  readonly #tokens = new Map<string, { profile: Profile; expiresAt: number }>();

  constructor(private readonly clock: EmulatorClock) {}

  issueCode(request: CodeRequest): string {
    const code = ulid(this.clock.now());
    this.#codes.set(code, { ...request, expiresAt: this.clock.now() + CODE_TTL_MS });
    return code;
  }

  /** Whether the code was issued with a PKCE challenge (a public client may then omit the secret). */
  hasChallenge(code: string): boolean {
    return this.#codes.get(code)?.codeChallenge !== undefined;
  }

  /** Consumes the code on success only: a failed attempt (wrong verifier) leaves it redeemable. */
  redeem(code: string, clientId: string, codeVerifier: string | undefined): Redemption {
    const stored = this.#codes.get(code);
    if (!stored || stored.clientId !== clientId) return { ok: false, description: EXPIRED_OR_USED };
    if (stored.expiresAt <= this.clock.now()) {
      this.#codes.delete(code);
      return { ok: false, description: EXPIRED_OR_USED };
    }
    if (stored.codeChallenge !== undefined) {
      if (codeVerifier === undefined) return { ok: false, description: 'The code_verifier is required for this code.' };
      if (!pkceMatches(stored, codeVerifier)) return { ok: false, description: 'The code_verifier does not match the code_challenge.' };
    }
    this.#codes.delete(code);
    return { ok: true, profile: stored.profile, oauthTokens: stored.oauthTokens };
  }

  issueAccessToken(profile: Profile): string {
    this.#prune();
    const token = secretToken(32);
    this.#tokens.set(token, { profile, expiresAt: this.clock.now() + ACCESS_TOKEN_TTL_S * 1000 });
    return token;
  }

  profileForAccessToken(token: string): Profile | undefined {
    const entry = this.#tokens.get(token);
    if (!entry || entry.expiresAt <= this.clock.now()) return undefined;
    return entry.profile;
  }

  #prune(): void {
    const now = this.clock.now();
    for (const [key, value] of this.#codes) if (value.expiresAt <= now) this.#codes.delete(key);
    for (const [key, value] of this.#tokens) if (value.expiresAt <= now) this.#tokens.delete(key);
  }
}
