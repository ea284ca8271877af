// The library works on the host's Prisma client. Publicly it is an opaque `PrismaLike`; inside, a narrow,
// loosely typed view of the delegates we use. Repositories are the only code that touches it.

/** The host's PrismaClient (generated from a schema that includes prisma/workos-login.prisma). */
export interface PrismaLike {
  $transaction: unknown;
  user: object;
  loginRule: object;
}

type Args = Record<string, unknown>;

export interface Delegate<T> {
  findUnique(args: Args): Promise<T | null>;
  findFirst(args: Args): Promise<T | null>;
  findMany(args?: Args): Promise<T[]>;
  create(args: Args): Promise<T>;
  update(args: Args): Promise<T>;
  updateMany(args: Args): Promise<{ count: number }>;
  upsert(args: Args): Promise<T>;
  delete(args: Args): Promise<T>;
  deleteMany(args?: Args): Promise<{ count: number }>;
  count(args?: Args): Promise<number>;
  aggregate(args: Args): Promise<Record<string, Record<string, unknown>>>;
}

/** The library's fields of a user; hosts' own fields come along untyped. */
export interface UserRow {
  id: number;
  username: string;
  email: string;
  passwordHash: string | null;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  lastLogin: Date | null;
  createdAt: Date;
  sessionVersion: number;
}

export interface GroupRow {
  id: number;
  name: string;
}

export interface LoginRuleRow {
  id: number;
  name: string;
  method: string;
  priority: number;
  enabled: boolean;
  emailRegex: string;
  lookupAttributes: string;
  connectionId: string;
  organizationId: string;
  jitCreation: string;
  jitGroups?: GroupRow[];
  savedAttributes: string;
  totpOrganizationName: string;
  allowIdpInitiated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TokenRow {
  id: number;
  userId: number;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export interface Db {
  user: Delegate<UserRow>;
  group: Delegate<GroupRow>;
  loginRule: Delegate<LoginRuleRow>;
  mfaFactor: Delegate<{ id: number; userId: number }>;
  ssoIdentity: Delegate<{ id: number; userId: number }>;
  passwordResetToken: Delegate<TokenRow>;
  $transaction<R>(fn: (tx: Db) => Promise<R>, options?: Args): Promise<R>;
}

export function asDb(prisma: PrismaLike): Db {
  return prisma as unknown as Db;
}

/** Providers whose string filters support `mode: 'insensitive'`. */
export function supportsInsensitiveMode(prisma: PrismaLike): boolean {
  const provider = (prisma as { _activeProvider?: unknown })._activeProvider;
  return provider === 'postgresql' || provider === 'cockroachdb' || provider === 'mongodb';
}
