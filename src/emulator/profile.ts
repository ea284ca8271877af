// The SSO Profile exactly as WorkOS puts it on the wire (snake_case), built from a directory user, a
// custom profile typed on the mock IdP page, or a magic-link email.
import type { Connection, DirectoryUser } from './directory-schema.ts';
import { stableId } from './ids.ts';

export interface ProfileRole {
  readonly slug: string;
}

export interface Profile {
  readonly object: 'profile';
  readonly id: string;
  readonly organization_id: string | null;
  readonly connection_id: string;
  readonly connection_type: string;
  readonly idp_id: string;
  readonly email: string;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly name: string | null;
  readonly role: ProfileRole;
  readonly roles: readonly ProfileRole[];
  readonly groups: readonly string[];
  readonly custom_attributes: Readonly<Record<string, unknown>>;
  readonly raw_attributes: Readonly<Record<string, unknown>>;
}

/** Present only for OAuth connections, as in WorkOS. */
export interface OauthTokens {
  readonly provider: string;
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_at: number;
  readonly scopes: readonly string[];
}

function fullName(first: string | null, last: string | null): string | null {
  const name = [first, last].filter((part) => part !== null && part !== '').join(' ');
  return name === '' ? null : name;
}

/** Profile ids are stable per user and connection, so an app can key accounts on them. */
export function profileFor(connection: Pick<Connection, 'id' | 'type' | 'organizationId'>, user: DirectoryUser): Profile {
  return {
    object: 'profile',
    id: stableId('prof', connection.id, user.idpId),
    organization_id: connection.organizationId,
    connection_id: connection.id,
    connection_type: connection.type,
    idp_id: user.idpId,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    name: fullName(user.firstName, user.lastName),
    role: { slug: user.role },
    roles: user.roles.map((slug) => ({ slug })),
    groups: [...user.groups],
    custom_attributes: { ...user.customAttributes },
    raw_attributes: { ...user.rawAttributes },
  };
}

/**
 * WorkOS creates one Magic Link connection per email domain on first use; the emulator derives its
 * id from the domain so it stays the same across sessions.
 */
export function magicLinkProfile(email: string, organizationId: string | null): Profile {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const connectionId = stableId('conn', 'MagicLink', domain);
  return {
    object: 'profile',
    id: stableId('prof', connectionId, email.toLowerCase()),
    organization_id: organizationId,
    connection_id: connectionId,
    connection_type: 'MagicLink',
    idp_id: email,
    email,
    first_name: null,
    last_name: null,
    name: null,
    role: { slug: 'member' },
    roles: [{ slug: 'member' }],
    groups: [],
    custom_attributes: {},
    raw_attributes: {},
  };
}
