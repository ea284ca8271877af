// A small typed emitter. Listeners may be async; their errors (sync or rejected promises) are logged and
// never reach the request that emitted, so a failing mail sender cannot reveal whether an account exists.
import type { Logger } from './config.ts';
import type { JitProfile } from './core/jit.ts';
import type { UserFields } from './db/types.ts';
import type { LoginFailReason } from './errors.ts';
import type { RuleMethod } from './login-methods.ts';
import type { HostUser, UserId } from './user-types.ts';

/** The WorkOS profile of an SSO login, with WorkOS's snake_case keys (as saved-attribute templates see it). */
export type SsoProfile = JitProfile;

/**
 * The user as events and `req.user` see it: the library's fields (never the password hash) plus the host's, typed
 * when the host declares them in `HostUser`, else `unknown`.
 */
export interface PublicUser extends Omit<UserFields, keyof HostUser>, HostUser {
  /**
   * Whether the user has a password (the library never hands out the hash). SSO-only and magic-link users have none:
   * hide "Change password" for them. Always set on the library's users; optional for users a host's own Passport loads.
   */
  hasPassword?: boolean;
  [hostField: string]: unknown;
}

// `req.user` comes with the library's types: no @types/passport needed (whose declaration is the same).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** The logged-in user. */
    interface User extends PublicUser {}
    interface Request {
      /** The logged-in user (set by `login.loadUser`, `login.requireLogin` and the router's pages), else undefined. */
      user?: User | undefined;
    }
  }
}

/** What a `sendMagicLink` listener delivers: a link to open, or a code to type (provider `workos-magic-auth`). */
export type MagicLinkDelivery =
  | {
      kind: 'link';
      /** The URL to email; it logs in once. */
      link: string;
    }
  | {
      kind: 'code';
      /** The six-digit one-time code to email. */
      code: string;
      /** The page where the person types the code, in the browser that asked for it (for the email's text). */
      link: string;
    };

export interface RuleRef {
  id: number;
  name: string;
  method: RuleMethod;
}

export interface AuditContext {
  ip: string;
  userAgent: string;
}

/** Who made an admin change: a user in the admin UI, the CLI (the operating-system user), or code through the API. */
export type AdminActor =
  | { type: 'user'; id: UserId; username: string; ip?: string; userAgent?: string }
  | { type: 'cli'; name: string }
  | { type: 'api'; name?: string };

/** What an admin change did. */
export type AdminAction =
  | 'rule.create'
  | 'rule.update'
  | 'rule.delete'
  | 'rule.move'
  | 'user.resetMfa'
  | 'user.unlinkSso'
  | 'user.endSessions'
  | 'user.deactivate'
  | 'user.reactivate';

/** An audit record of one change made through `login.rules`, `login.users`, the admin UI or the CLI. */
export interface AdminChange {
  actor: AdminActor;
  action: AdminAction;
  /** A rule's id, or a user's (a number or a string, as the host's `User.id`). */
  target: { type: 'rule' | 'user'; id: number | UserId; name: string };
  /** The changed fields before and after (all of them for a create or delete); never a secret. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: Date;
  /** Set when the change was part of a larger one: `import` (a rules import) or `move` (a reorder shifting other rules). */
  via?: 'import' | 'move';
}

export interface WorkosLoginEvents {
  /**
   * A user was created from a WorkOS profile (after the transaction committed): just in time at their first SSO
   * login (`source: 'sso'`), or before any login from a Directory Sync event (`source: 'directory'`).
   */
  userCreated: { user: PublicUser; profile: SsoProfile; rule: RuleRef; source: 'sso' | 'directory' };
  /**
   * A Directory Sync event deactivated a user (deleted or suspended at the directory provider): `isActive = false` and
   * every session ended. `rule` is the SSO rule that names the event's organization.
   */
  userDeprovisioned: { user: PublicUser; reason: 'deleted' | 'suspended'; organizationId: string; directoryUserId: string; eventId: string; rule: RuleRef };
  /**
   * A magic link or Magic Auth code must be delivered (always emitted; the app sends it with the `local` provider or
   * `sendCustomEmail`). `kind` says which: `link` (send `link`) or `code` (send `code`; `link` is the page it is typed on).
   */
  sendMagicLink: { user: PublicUser; rule: RuleRef; /** When the link or code stops working. */ expiresAt: Date } & MagicLinkDelivery;
  /** A password reset link must be delivered by the app. */
  sendPasswordReset: { user: PublicUser; link: string };
  login: AuditContext & { user: PublicUser; rule: RuleRef | null; method: RuleMethod };
  loginFailed: AuditContext & {
    username: string;
    /** Known users only; unknown names carry null (the response never says which). */
    user: { id: UserId; username: string } | null;
    rule: RuleRef | null;
    method: RuleMethod | null;
    /** Why (see `LOGIN_FAIL_REASONS` for what each reason means). */
    reason: LoginFailReason;
  };
  /**
   * Failed logins started a block (alert on it): `backoff` when one client went over its failures for the account
   * (only that client waits; `level` counts the account's backoffs within the long window, and each doubles the
   * block), `lockout` when the account reached its long-run cap (every client waits).
   */
  accountThrottled: {
    /** The throttle's key: `user:<id>`, or `name:<typed name>` for a name no user has. */
    account: string;
    /** The user's id, or null for a name no user has. */
    userId: number | null;
    /** The client whose attempt started the block. */
    ip: string;
    kind: 'backoff' | 'lockout';
    level: number;
    /** Seconds the block lasts. */
    retryAfter: number;
  };
  logout: AuditContext & { user: PublicUser | null };
  passwordChanged: AuditContext & { user: PublicUser; via: 'change' | 'reset' };
  /** A second factor was enrolled and saved (notify the user: a factor change). Never carries codes or secrets. */
  mfaEnrolled: AuditContext & { user: PublicUser; factor: { id: number; type: 'totp' | 'sms' }; rule: RuleRef | null };
  /** `resetMfa` removed a user's factors and recovery codes and ended their sessions. */
  mfaReset: { user: PublicUser; factorsRemoved: number; recoveryCodesRemoved: number };
  /**
   * A logged-in user removed their factor on `mfa/`, or removed it to replace it (`mfaEnrolled` follows once the
   * new one is saved), after re-authenticating `via` their password or a current code. Their recovery codes went
   * with it and their other sessions ended. Notify the user: a factor change. Never carries codes or secrets.
   */
  mfaChanged: AuditContext & {
    user: PublicUser;
    action: 'remove' | 'replace';
    /** The factors removed (normally one). */
    factors: { id: number; type: 'totp' | 'sms' }[];
    rule: RuleRef | null;
    via: 'password' | 'code';
  };
  /** A rule or a user was changed through the admin API, UI or CLI (after the change was written). */
  adminChange: AdminChange;
}

export type WorkosLoginEventName = keyof WorkosLoginEvents;
type Listener<E extends WorkosLoginEventName> = (payload: WorkosLoginEvents[E]) => void | Promise<void>;

export class LoginEvents {
  private readonly listeners = new Map<WorkosLoginEventName, Set<Listener<WorkosLoginEventName>>>();

  constructor(private readonly logger: Logger) {}

  on<E extends WorkosLoginEventName>(event: E, listener: Listener<E>): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<WorkosLoginEventName>);
    return this;
  }

  off<E extends WorkosLoginEventName>(event: E, listener: Listener<E>): this {
    this.listeners.get(event)?.delete(listener as Listener<WorkosLoginEventName>);
    return this;
  }

  once<E extends WorkosLoginEventName>(event: E, listener: Listener<E>): this {
    const wrapped: Listener<E> = (payload) => {
      this.off(event, wrapped);
      return listener(payload);
    };
    return this.on(event, wrapped);
  }

  listenerCount(event: WorkosLoginEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit<E extends WorkosLoginEventName>(event: E, payload: WorkosLoginEvents[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        const result = listener(payload);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.listenerFailed(event, err, payload));
        }
      } catch (err) {
        this.listenerFailed(event, err, payload);
      }
    }
  }

  private listenerFailed(event: string, err: unknown, payload: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error(`express-workos-login: a "${event}" listener failed`, { error: redactSecrets(message, payload) });
  }
}

/** Payload keys that carry a secret (a login link, a one-time code), as events send them. */
const SECRET_KEYS = ['link', 'code'] as const;

/**
 * The message with the payload's secrets replaced: a mail host's error often quotes the message it refused, so the
 * link or code (or the token inside the link, raw or URL-encoded) would reach the log otherwise.
 */
export function redactSecrets(message: string, payload: unknown): string {
  if (!payload || typeof payload !== 'object') return message;
  const secrets = new Set<string>();
  for (const key of SECRET_KEYS) {
    const value = (payload as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '') continue;
    secrets.add(value);
    // The token parts of a link (path segments and query values long enough to be one).
    for (const part of value.split(/[/?&=#]/)) if (part.length >= 16) secrets.add(part);
  }
  let out = message;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]');
  }
  return out;
}
