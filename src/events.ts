// A small typed emitter. Listeners may be async; their errors (sync or rejected promises) are logged and
// never reach the request that emitted, so a failing mail sender cannot reveal whether an account exists.
import type { Logger } from './config.ts';
import type { JitProfile } from './core/jit.ts';
import type { UserFields } from './db/types.ts';
import type { LoginFailReason } from './errors.ts';
import type { RuleMethod } from './login-methods.ts';

/** The WorkOS profile of an SSO login, with WorkOS's snake_case keys (as saved-attribute templates see it). */
export type SsoProfile = JitProfile;

/** The user as events and `req.user` see it: the library's fields (never the password hash) plus the host's. */
export interface PublicUser extends UserFields {
  [hostField: string]: unknown;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** `req.user` is the logged-in user (hosts may extend this interface with their own fields). */
    interface User extends PublicUser {}
  }
}

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
  | { type: 'user'; id: number; username: string; ip?: string; userAgent?: string }
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
  target: { type: 'rule' | 'user'; id: number; name: string };
  /** The changed fields before and after (all of them for a create or delete); never a secret. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: Date;
  /** Set when the change was part of a larger one: `import` (a rules import) or `move` (a reorder shifting other rules). */
  via?: 'import' | 'move';
}

export interface WorkosLoginEvents {
  /** A user was created just in time from an SSO profile (after the transaction committed). */
  userCreated: { user: PublicUser; profile: SsoProfile; rule: RuleRef };
  /** A magic link must be delivered (always emitted; with `sendCustomEmail` the app must send it). */
  sendMagicLink: { user: PublicUser; link: string; rule: RuleRef };
  /** A password reset link must be delivered by the app. */
  sendPasswordReset: { user: PublicUser; link: string };
  login: AuditContext & { user: PublicUser; rule: RuleRef | null; method: RuleMethod };
  loginFailed: AuditContext & {
    username: string;
    /** Known users only; unknown names carry null (the response never says which). */
    user: { id: number; username: string } | null;
    rule: RuleRef | null;
    method: RuleMethod | null;
    /** Why (see `LOGIN_FAIL_REASONS` for what each reason means). */
    reason: LoginFailReason;
  };
  logout: AuditContext & { user: PublicUser | null };
  passwordChanged: AuditContext & { user: PublicUser; via: 'change' | 'reset' };
  /** A second factor was enrolled and saved (notify the user: a factor change). Never carries codes or secrets. */
  mfaEnrolled: AuditContext & { user: PublicUser; factor: { id: number; type: 'totp' | 'sms' }; rule: RuleRef | null };
  /** `resetMfa` removed a user's factors and recovery codes and ended their sessions. */
  mfaReset: { user: PublicUser; factorsRemoved: number; recoveryCodesRemoved: number };
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
          (result as Promise<void>).catch((err: unknown) => this.listenerFailed(event, err));
        }
      } catch (err) {
        this.listenerFailed(event, err);
      }
    }
  }

  private listenerFailed(event: string, err: unknown): void {
    this.logger.error(`express-workos-login: a "${event}" listener failed`, { error: err instanceof Error ? err.message : String(err) });
  }
}
