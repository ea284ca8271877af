// SSO identities and the user lookups SSO needs, over the host's Prisma client. Identities are keyed by
// (scope, IdP id), never by email; the user queries here also see inactive users, so that SSO can refuse them
// instead of creating a second account next to a disabled one.
import type { JitProfile } from '../core/jit.ts';
import { asDb, supportsInsensitiveMode, type Db, type PrismaLike, type UserRow } from '../db/types.ts';
import { scopeOf } from './profile.ts';

export interface IdentityRow {
  id: number;
  userId: number;
  scope: string;
  idpId: string;
}

/** The identity row written for a profile (scope, IdP id and what WorkOS said about the connection). */
export function identityData(profile: JitProfile, now: Date): Record<string, unknown> {
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
  private readonly db: Db;
  private readonly insensitive: boolean;

  constructor(prisma: PrismaLike) {
    this.db = asDb(prisma);
    this.insensitive = supportsInsensitiveMode(prisma);
  }

  async find(profile: JitProfile, db: Db = this.db): Promise<IdentityRow | null> {
    if (!profile.idp_id) return null;
    return (await db.ssoIdentity.findUnique({ where: { scope_idpId: { scope: scopeOf(profile), idpId: profile.idp_id } } })) as IdentityRow | null;
  }

  /** Does the user already have an identity in this profile's scope (under another IdP id)? */
  async hasOtherInScope(userId: number, profile: JitProfile): Promise<boolean> {
    return (await this.db.ssoIdentity.count({ where: { userId, scope: scopeOf(profile), NOT: { idpId: profile.idp_id } } })) > 0;
  }

  async link(userId: number, profile: JitProfile, now: Date): Promise<void> {
    await this.db.ssoIdentity.create({ data: { userId, ...identityData(profile, now) } });
  }

  /** Remembers the latest profile id and login time. */
  async touch(identity: IdentityRow, profile: JitProfile, now: Date): Promise<void> {
    await this.db.ssoIdentity.update({
      where: { id: identity.id },
      data: { profileId: profile.id, connectionId: profile.connection_id, connectionType: profile.connection_type, lastLoginAt: now },
    });
  }

  async userById(id: number): Promise<UserRow | null> {
    return this.db.user.findUnique({ where: { id } });
  }

  /** Every user (active or not) whose email equals `email`, ignoring case; at most `take`. */
  async usersWithEmail(email: string, take = 5): Promise<UserRow[]> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) return [];
    if (this.insensitive) return this.db.user.findMany({ where: { email: { equals: wanted, mode: 'insensitive' } }, take, orderBy: { id: 'asc' } });
    // SQLite: LIKE (behind startsWith/endsWith) ignores ASCII case; the exact comparison happens here.
    const candidates = await this.db.user.findMany({ where: { AND: [{ email: { startsWith: wanted } }, { email: { endsWith: wanted } }] }, take: take * 4, orderBy: { id: 'asc' } });
    return candidates.filter((u) => u.email.trim().toLowerCase() === wanted).slice(0, take);
  }
}
