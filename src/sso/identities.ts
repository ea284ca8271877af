// SSO identities and the user lookups SSO needs, in terms of WorkOS profiles. Identities are keyed by (scope,
// IdP id), never by email; the user lookups here also see inactive users, so that SSO can refuse them instead of
// creating a second account next to a disabled one. The rows are read and written by the repositories of src/db/.
import type { JitProfile } from '../core/jit.ts';
import type { IdentityData, IdentityRow, IdentityStore, UserRow, UserStore } from '../db/ports.ts';
import { scopeOf } from './profile.ts';
import type { UserId } from '../user-types.ts';

export type { IdentityRow } from '../db/ports.ts';

/** The identity row written for a profile (scope, IdP id and what WorkOS said about the connection). */
export function identityData(profile: JitProfile, now: Date): IdentityData {
  return {
    scope: scopeOf(profile),
    idpId: profile.idp_id,
    profileId: profile.id,
    connectionId: profile.connection_id,
    organizationId: profile.organization_id ?? '',
    connectionType: profile.connection_type,
    lastLoginAt: now,
  };
}

export class SsoIdentities {
  constructor(
    private readonly identities: IdentityStore,
    private readonly users: UserStore,
  ) {}

  async find(profile: JitProfile): Promise<IdentityRow | null> {
    if (!profile.idp_id) return null;
    return this.identities.find(scopeOf(profile), profile.idp_id);
  }

  /** Does the user already have an identity in this profile's scope (under another IdP id)? */
  hasOtherInScope(userId: UserId, profile: JitProfile): Promise<boolean> {
    return this.identities.hasOtherInScope(userId, scopeOf(profile), profile.idp_id);
  }

  link(userId: UserId, profile: JitProfile, now: Date): Promise<void> {
    return this.identities.link(userId, identityData(profile, now));
  }

  /** Remembers the latest profile id and login time. */
  touch(identity: IdentityRow, profile: JitProfile, now: Date): Promise<void> {
    return this.identities.touch(identity.id, { profileId: profile.id, connectionId: profile.connection_id, connectionType: profile.connection_type, lastLoginAt: now });
  }

  userById(id: UserId): Promise<UserRow | null> {
    return this.users.findById(id);
  }

  /** Every user (active or not) whose email equals `email`, ignoring case; at most `take`. */
  usersWithEmail(email: string, take = 5): Promise<UserRow[]> {
    return this.users.findAnyByEmail(email, take);
  }
}
