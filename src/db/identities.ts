// SSO identities, keyed by (scope, IdP id), never by email. What a profile's scope and columns are is decided in
// src/sso/identities.ts; this file only reads and writes the rows.
import type { IdentityStore } from './ports.ts';
import type { Db, IdentityData, IdentityRow } from './types.ts';
import type { UserId } from '../user-types.ts';

/** The identity row of (scope, IdP id) in `db` (the client or a transaction). */
export function findIdentity(db: Db, scope: string, idpId: string): Promise<IdentityRow | null> {
  return db.ssoIdentity.findUnique({ where: { scope_idpId: { scope, idpId } } });
}

export class IdentityRepository implements IdentityStore {
  constructor(private readonly db: Db) {}

  find(scope: string, idpId: string): Promise<IdentityRow | null> {
    return findIdentity(this.db, scope, idpId);
  }

  async hasOtherInScope(userId: UserId, scope: string, idpId: string): Promise<boolean> {
    return (await this.db.ssoIdentity.count({ where: { userId, scope, NOT: { idpId } } })) > 0;
  }

  async link(userId: UserId, identity: IdentityData): Promise<void> {
    await this.db.ssoIdentity.create({ data: { userId, ...identity } });
  }

  async touch(id: number, seen: Pick<IdentityData, 'profileId' | 'connectionId' | 'connectionType' | 'lastLoginAt'>): Promise<void> {
    await this.db.ssoIdentity.update({ where: { id }, data: { ...seen } });
  }

  async findDirectoryUser(scope: string, directoryUserId: string, idpId: string): Promise<IdentityRow | null> {
    const byDirectory = directoryUserId ? await this.db.ssoIdentity.findFirst({ where: { scope, directoryUserId }, orderBy: { id: 'asc' } }) : null;
    return byDirectory ?? (idpId ? findIdentity(this.db, scope, idpId) : null);
  }

  async setDirectoryUser(id: number, directoryUserId: string): Promise<void> {
    await this.db.ssoIdentity.update({ where: { id }, data: { directoryUserId } });
  }
}
