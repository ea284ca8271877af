// Opening and using a link. Checking is read-only (the GET confirmation page runs it too); only `consume`, from the
// POST, uses the link up. The user's rule is resolved again: it must still be the magic/email_mfa rule that asked.
import type { Request } from 'express';
import type { Context } from '../context.ts';
import { safeEqual } from '../core/compare.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';
import type { LoginErrorCode } from '../errors.ts';
import { clearPending, readPending, type MagicMethod } from './state.ts';
import type { MagicLinkTokens } from './tokens.ts';

/** What the link carries: our own token (local provider) or WorkOS's code and our state. */
export type LinkParams = { kind: 'local'; token: string } | { kind: 'workos'; code: string; state: string } | { kind: 'error' };

export type Verdict =
  | {
      ok: true;
      user: UserRow;
      rule: LoginRule;
      method: MagicMethod;
      next: string;
      /** Hidden fields of the confirmation form. */
      fields: { name: string; value: string }[];
      /** Uses the link up; false when it was already used (another request won) or WorkOS refused the code. */
      consume(): Promise<boolean>;
    }
  | {
      ok: false;
      code: Extract<LoginErrorCode, 'magic_link_invalid' | 'magic_link_other_session' | 'magic_link_password_first' | 'method_not_allowed'>;
      user: UserRow | null;
      rule: LoginRule | null;
    };

const MAGIC_METHODS: readonly string[] = ['magic', 'email_mfa'];

export class MagicLinkCallback {
  constructor(
    private readonly ctx: Context,
    private readonly tokens: MagicLinkTokens | null,
  ) {}

  /** The user's current rule, if it still allows a magic link and is the rule the link was issued under. */
  private async currentRule(user: UserRow, ruleId: number | null, method?: MagicMethod): Promise<LoginRule | null> {
    const { rule } = await this.ctx.rules.resolve(user, user.username);
    if (!rule || !MAGIC_METHODS.includes(rule.method) || rule.id !== ruleId) return null;
    if (method && rule.method !== method) return null;
    return rule;
  }

  async check(req: Request, params: LinkParams): Promise<Verdict> {
    if (params.kind === 'local') return this.checkLocal(req, params.token);
    if (params.kind === 'workos') return this.checkWorkos(req, params.code, params.state);
    return { ok: false, code: 'magic_link_invalid', user: null, rule: null };
  }

  private async checkLocal(req: Request, token: string): Promise<Verdict> {
    const row = this.tokens ? await this.tokens.findUsable(token) : null;
    const user = row ? await this.ctx.users.findActiveById(row.userId) : null;
    if (!row || !user) return { ok: false, code: 'magic_link_invalid', user: null, rule: null };
    const rule = await this.currentRule(user, row.ruleId);
    if (!rule) return { ok: false, code: 'method_not_allowed', user, rule: null };
    if (rule.method === 'email_mfa') {
      // The second factor completes the login that passed the password in THIS session, and only with this link.
      const pending = readPending(req, this.ctx.now());
      const bound = pending && pending.provider === 'local' && pending.method === 'email_mfa' && pending.userId === user.id && safeEqual(pending.nonce, row.tokenHash);
      if (!bound) return { ok: false, code: 'magic_link_password_first', user, rule };
    }
    // `magic` links work in any browser: the token alone proves the mailbox, and it is bound to this user and rule.
    const tokens = this.tokens!;
    return {
      ok: true,
      user,
      rule,
      method: rule.method as MagicMethod,
      next: row.next,
      fields: [{ name: 'token', value: token }],
      consume: async () => {
        if (!(await tokens.consume(row))) return false;
        clearPending(req);
        return true;
      },
    };
  }

  private async checkWorkos(req: Request, code: string, state: string): Promise<Verdict> {
    // WorkOS links need the session that asked: the state is random, server-side, single-use and expiring.
    const pending = readPending(req, this.ctx.now());
    if (!pending || pending.provider !== 'workos' || !safeEqual(pending.nonce, state)) {
      return { ok: false, code: 'magic_link_other_session', user: null, rule: null };
    }
    const user = await this.ctx.users.findActiveById(pending.userId);
    if (!user) return { ok: false, code: 'magic_link_invalid', user: null, rule: null };
    const rule = await this.currentRule(user, pending.ruleId, pending.method);
    if (!rule) return { ok: false, code: 'method_not_allowed', user, rule: null };
    return {
      ok: true,
      user,
      rule,
      method: pending.method,
      next: pending.next,
      fields: [
        { name: 'code', value: code },
        { name: 'state', value: state },
      ],
      consume: async () => {
        // One-time state goes before the code is verified: a replay in this session finds nothing.
        clearPending(req);
        const profile = await this.ctx.workos.exchangeCode(code, 'sso.getProfileAndToken (magic link)');
        if (!profile) return false; // the code was used or expired
        // The mailbox that clicked must be the one of the user who asked.
        return profile.connectionType === 'MagicLink' && profile.email.trim().toLowerCase() === user.email.trim().toLowerCase();
      },
    };
  }
}
