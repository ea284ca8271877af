// Provider tokens WorkOS returns next to the profile for OAuth connections (Google, Microsoft…).
import type { Connection } from './directory-schema.ts';
import { secretToken } from './ids.ts';
import type { OauthTokens } from './profile.ts';

const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

export function oauthTokensFor(connection: Pick<Connection, 'type'>, scopes: readonly string[], nowMs: number): OauthTokens | undefined {
  if (!connection.type.endsWith('OAuth')) return undefined;
  return {
    provider: connection.type,
    access_token: `emu_oauth_${secretToken(24)}`,
    refresh_token: `emu_refresh_${secretToken(24)}`,
    expires_at: Math.floor(nowMs / 1000) + 3600,
    scopes: scopes.length > 0 ? [...scopes] : DEFAULT_SCOPES,
  };
}
