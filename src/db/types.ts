// The library works on the host's Prisma client. Publicly it is an opaque `PrismaLike`; inside src/db/, ONE narrow,
// loosely typed view of the delegates we use (`Db`). Only the repositories in this folder touch it; the rest of the
// library sees the interfaces of ports.ts and the row types below.
import type { UserId } from '../user-types.ts';

export type { UserId } from '../user-types.ts';

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
  createMany(args: Args): Promise<{ count: number }>;
  update(args: Args): Promise<T>;
  updateMany(args: Args): Promise<{ count: number }>;
  upsert(args: Args): Promise<T>;
  delete(args: Args): Promise<T>;
  deleteMany(args?: Args): Promise<{ count: number }>;
  count(args?: Args): Promise<number>;
  aggregate(args: Args): Promise<Record<string, Record<string, unknown>>>;
}

/** What a user's rows elsewhere say about them, for rules (`hasMfa` / `hasSso` lookup attributes) and the login. */
export interface UserFacts {
  hasMfa: boolean;
  hasSso: boolean;
}

/** The library's fields of a user that the host may see (events, `req.user`). */
export interface UserFields {
  id: UserId;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  lastLogin: Date | null;
  createdAt: Date;
}

/** A user row as the library reads it: the public fields, the secrets, and the host's own fields untyped. */
export interface UserRow extends UserFields {
  passwordHash: string | null;
  /** Bumped to end every session of the user (password change, deactivation, `endSessions`). */
  sessionVersion: number;
  /** Read together with the user by the login lookups; absent when the user came from elsewhere (e.g. a write). */
  facts?: UserFacts;
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
  /** Null: the method's default. */
  linkExistingByEmail: boolean | null;
  /** JSON; absent from hosts' schemas that predate Directory Sync (read as `{}`). */
  directoryProvisioning?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns a rule write sets (JSON fields already serialised); the JIT groups are passed by name beside it. */
export type LoginRuleData = Omit<LoginRuleRow, 'id' | 'jitGroups' | 'createdAt' | 'updatedAt'>;

/** A single-use hashed token (PasswordResetToken; MagicLinkToken adds the fields of `MagicLinkRow`). */
export interface TokenRow {
  id: number;
  userId: UserId;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export interface MagicLinkRow extends TokenRow {
  ruleId: number | null;
  next: string;
}

export type FactorType = 'totp' | 'sms';

export interface FactorRow {
  id: number;
  userId: UserId;
  workosFactorId: string;
  type: FactorType;
  phoneNumber: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface RecoveryCodeRow {
  id: number;
  userId: UserId;
  codeHash: string;
  usedAt: Date | null;
  createdAt: Date;
}

export interface IdentityRow {
  id: number;
  userId: UserId;
  scope: string;
  idpId: string;
  /** The Directory Sync user it was provisioned from or matched to (absent from schemas that predate it). */
  directoryUserId?: string | null;
}

/** The columns of an SSO identity as written for a profile (scope, IdP id, what WorkOS said about the connection). */
export interface IdentityData {
  scope: string;
  idpId: string;
  profileId: string;
  connectionId: string;
  organizationId: string;
  connectionType: string;
  /** Null until the person's first SSO login (an account provisioned from the directory). */
  lastLoginAt: Date | null;
  /** Set only for accounts provisioned from Directory Sync. */
  directoryUserId?: string;
}

export interface WebhookEventRow {
  id: string;
  signature: string;
  receivedAt: Date;
}

/** The one view of the host's client that the repositories use. Optional delegates are optional models. */
export interface Db {
  user: Delegate<UserRow>;
  group: Delegate<GroupRow>;
  loginRule: Delegate<LoginRuleRow>;
  mfaFactor: Delegate<FactorRow>;
  mfaRecoveryCode: Delegate<RecoveryCodeRow>;
  ssoIdentity: Delegate<IdentityRow>;
  passwordResetToken: Delegate<TokenRow>;
  magicLinkToken?: Delegate<MagicLinkRow>;
  workosWebhookEvent?: Delegate<WebhookEventRow>;
  loginRuleVersion?: Delegate<{ id: number; version: number }>;
  $transaction<R>(fn: (tx: Db) => Promise<R>, options?: Args): Promise<R>;
}

/** For the repositories of src/db/ only. */
export function asDb(prisma: PrismaLike): Db {
  return prisma as unknown as Db;
}

/** Does the host's client have this (optional) model? */
export function hasModel(prisma: PrismaLike, delegate: string): boolean {
  return typeof (prisma as unknown as Record<string, unknown>)[delegate] === 'object';
}

/** Providers whose string filters support `mode: 'insensitive'`. */
export function supportsInsensitiveMode(prisma: PrismaLike): boolean {
  const provider = (prisma as { _activeProvider?: unknown })._activeProvider;
  return provider === 'postgresql' || provider === 'cockroachdb' || provider === 'mongodb';
}
