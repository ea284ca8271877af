// Users as the login flows need them. Every lookup honours the active-user filter.
import type { ResolvedConfig } from '../config.ts';
import { asDb, supportsInsensitiveMode, type Db, type PrismaLike, type UserRow } from './types.ts';

export class UserRepository {
  private readonly db: Db;
  private readonly insensitive: boolean;

  constructor(
    prisma: PrismaLike,
    private readonly config: Pick<ResolvedConfig, 'usernameLookup' | 'emailLookup' | 'activeUserFilter'>,
  ) {
    this.db = asDb(prisma);
    this.insensitive = supportsInsensitiveMode(prisma);
  }

  private active(where: Record<string, unknown>): Record<string, unknown> {
    return { AND: [where, this.config.activeUserFilter] };
  }

  /** The user a login name refers to: exact username first, then a unique case-insensitive email. */
  async findForLogin(typed: string): Promise<UserRow | null> {
    if (!typed) return null;
    if (this.config.usernameLookup) {
      const user = await this.db.user.findFirst({ where: this.active({ username: typed }) });
      if (user) return user;
    }
    if (this.config.emailLookup && typed.includes('@')) {
      const matches = await this.findActiveByEmail(typed, 2);
      if (matches.length === 1) return matches[0]!;
    }
    return null;
  }

  /** Active users whose email equals `email`, ignoring case. */
  async findActiveByEmail(email: string, take = 50): Promise<UserRow[]> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) return [];
    if (this.insensitive) {
      return this.db.user.findMany({ where: this.active({ email: { equals: wanted, mode: 'insensitive' } }), take, orderBy: { id: 'asc' } });
    }
    // SQLite: LIKE (behind `startsWith`/`endsWith`) ignores ASCII case; the exact comparison happens here.
    // Prefix AND suffix (not `contains`): other addresses merely containing this one (`x.bob@…` for `bob@…`)
    // must not fill the capped candidate list and hide the real owner(s).
    const candidates = await this.db.user.findMany({
      where: this.active({ AND: [{ email: { startsWith: wanted } }, { email: { endsWith: wanted } }] }),
      take: take * 4,
      orderBy: { id: 'asc' },
    });
    return candidates.filter((u) => u.email.toLowerCase() === wanted).slice(0, take);
  }

  async findActiveById(id: number): Promise<UserRow | null> {
    return this.db.user.findFirst({ where: this.active({ id }) });
  }

  async facts(userId: number): Promise<{ hasMfa: boolean; hasSso: boolean }> {
    const [mfa, sso] = await Promise.all([
      this.db.mfaFactor.count({ where: { userId } }),
      this.db.ssoIdentity.count({ where: { userId } }),
    ]);
    return { hasMfa: mfa > 0, hasSso: sso > 0 };
  }

  /** Does the user match a Prisma `where`? Throws Prisma's validation error for a malformed filter. */
  async matchesWhere(userId: number, where: Readonly<Record<string, unknown>>): Promise<boolean> {
    return (await this.db.user.count({ where: { AND: [{ id: userId }, where] } })) > 0;
  }

  async recordLogin(userId: number, passwordHash?: string): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { lastLogin: new Date(), ...(passwordHash ? { passwordHash } : {}) } });
  }

  /** Sets a new password hash and ends every other session of the user (their stamped version no longer matches). */
  async setPassword(userId: number, passwordHash: string): Promise<UserRow> {
    return this.db.user.update({ where: { id: userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
  }

  /** Sets `isActive` to false and ends every session, so re-activating the user later revives none of them. */
  async deactivate(userId: number): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { isActive: false, sessionVersion: { increment: 1 } } });
  }

  /** Ends every session of the user on their next request. */
  async endAllSessions(userId: number): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
  }
}
