// The SSO callback: where WorkOS sends the browser back. The state (if any) is taken out of the session first;
// then the IdP's error, or the code exchange, the decision (src/sso/decide.ts), JIT creation or linking, and auto
// update. `SsoCallback.run` only decides (the strategy and the route act on its answer): a login, a refusal, or a
// restart of an IdP-initiated login as an SP-initiated one.
import type { Request } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { publicUser, ruleRef } from '../context.ts';
import type { DataModel } from '../core/jit-model.ts';
import type { JitProfile } from '../core/jit.ts';
import type { LoginRule } from '../core/rules.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { UserRow } from '../db/ports.ts';
import { saveSession } from '../http/session.ts';
import { refusal, type Decision, type Refusal, type SsoDecider } from './decide.ts';
import type { SsoIdentities } from './identities.ts';
import { idpDescription, idpErrorCode } from './idp-errors.ts';
import { toJitProfile, type SdkProfile } from './profile.ts';
import { provisionUser } from './provision.ts';
import { isSsoRule } from './rule.ts';
import { takePending, type SsoPending } from './state.ts';
import { refreshUser } from './update.ts';

// A repeated or over-long parameter is treated as absent (and then refused), never as a 500.
const param = (max: number) => z.string().max(max).optional().catch(undefined);
export const callbackQuery = z.object({
  code: param(2048),
  state: param(512),
  error: param(200),
  error_description: param(2000),
  organization: param(200),
  organization_id: param(200),
  connection: param(200),
  connection_id: param(200),
});
type CallbackQuery = z.output<typeof callbackQuery>;

export interface SsoServices {
  decider: SsoDecider;
  identities: SsoIdentities;
  dataModel: DataModel;
}

/** What the callback decided. */
export type CallbackResult =
  | { kind: 'login'; user: UserRow; rule: LoginRule; pending: SsoPending | null }
  | { kind: 'refuse'; refusal: Refusal; pending: SsoPending | null; profile: JitProfile | null; extra: string[] }
  /** WorkOS refused an IdP-initiated login for a rule that allows one: start it again from here. */
  | { kind: 'restart'; rule: LoginRule };

const refused = (r: Refusal, pending: SsoPending | null, profile: JitProfile | null = null, extra: string[] = []): CallbackResult => ({ kind: 'refuse', refusal: r, pending, profile, extra });

export class SsoCallback {
  constructor(
    private readonly ctx: Context,
    private readonly services: SsoServices,
  ) {}

  async run(req: Request): Promise<CallbackResult> {
    const { ctx } = this;
    const q = callbackQuery.parse(req.query ?? {});
    let pending: SsoPending | null = null;
    if (q.state !== undefined) {
      // Single use: the state leaves the session (and the session is saved) before anything else happens.
      const taken = takePending(req, q.state, ctx.now());
      await saveSession(req);
      if (!taken.ok) return refused(refusal(taken.code, 'sso_state_invalid', { status: 400, detail: taken.code === 'sso_state_expired' ? 'state expired' : 'state unknown to this session' }), null);
      pending = taken.pending;
    }
    if (q.error !== undefined) return this.idpError(q, pending);
    if (!q.code) return refused(refusal('sso_code_invalid', 'sso_code_invalid', { status: 400, detail: 'callback without a code' }), pending);

    const sdkProfile = await ctx.workos.exchangeCode(q.code);
    if (!sdkProfile) {
      const rule = pending ? await ctx.rules.get(pending.ruleId) : null;
      return refused(refusal('sso_code_invalid', 'sso_code_invalid', { status: 400, rule, detail: 'WorkOS refused the code (invalid_grant)' }), pending);
    }
    const profile = toJitProfile(sdkProfile as unknown as SdkProfile);

    let decision = await this.decide(pending, profile);
    if (decision.kind === 'jit') {
      const result = await provisionUser(ctx, this.services.dataModel, decision.rule, profile);
      if (result.kind === 'refused') {
        const reason = result.code === 'sso_username_taken' ? 'sso_identity_conflict' : 'sso_not_provisioned';
        return refused(refusal(result.code, reason, { rule: decision.rule, detail: result.detail }), pending, profile);
      }
      if (result.kind === 'created') {
        ctx.events.emit('userCreated', { user: publicUser(result.user), profile: structuredClone(profile), rule: ruleRef(decision.rule)!, source: 'sso' });
        const { user } = result;
        const rule = decision.rule;
        // Saved attributes may create the account inactive: it exists, but does not log in.
        if (!(await ctx.users.findActiveById(user.id))) return refused(refusal('sso_account_disabled', 'sso_account_disabled', { user, rule }), pending, profile);
        return { kind: 'login', user, rule, pending };
      }
      // Another request created this person a moment ago: log in as that account, like any returning user.
      decision = await this.decide(pending, profile);
    }
    if (decision.kind === 'refuse') return refused(decision, pending, profile);
    if (decision.kind === 'jit') return refused(refusal('sso_identity_conflict', 'sso_identity_conflict', { rule: decision.rule, detail: 'created concurrently, then not found' }), pending, profile);
    const user = await this.prepareExisting(decision, profile);
    if (!user) return refused(refusal('sso_identity_conflict', 'sso_identity_conflict', { user: decision.user, rule: decision.rule, detail: 'identity linked concurrently' }), pending, profile);
    return { kind: 'login', user, rule: decision.rule, pending };
  }

  private decide(pending: SsoPending | null, profile: JitProfile): Promise<Decision> {
    return pending ? this.services.decider.forStarted(pending, profile) : this.services.decider.forIdpInitiated(profile);
  }

  private async idpError(q: CallbackQuery, pending: SsoPending | null): Promise<CallbackResult> {
    const error = q.error ?? '';
    if (error === 'idp_initiated_sso_disabled' && !pending) {
      // WorkOS refused an IdP-initiated login and names the tenant: restart it SP-initiated (fresh state) if the
      // rule for that tenant opted in to IdP-initiated logins.
      const org = q.organization ?? q.organization_id;
      const conn = q.connection ?? q.connection_id;
      const rule = (await this.ctx.rules.list()).find(
        (r) => r.enabled && isSsoRule(r) && r.allowIdpInitiated && ((!!org && r.organizationId === org) || (!!conn && r.connectionId === conn)),
      );
      if (rule) return { kind: 'restart', rule };
    }
    const rule = pending ? await this.ctx.rules.get(pending.ruleId) : null;
    const description = idpDescription(q.error_description);
    return refused(refusal(idpErrorCode(error), 'sso_idp_error', { status: 400, rule, detail: `identity provider error "${error.slice(0, 60)}"` }), pending, null, description ? [description] : []);
  }

  /** Links (or touches) the identity, refreshes the user when autoUpdate is on; null if the link raced. */
  private async prepareExisting(d: Extract<Decision, { kind: 'login' }>, profile: JitProfile): Promise<UserRow | null> {
    const { ctx } = this;
    const { identities, dataModel } = this.services;
    const now = new Date(ctx.now());
    if (d.identity) await identities.touch(d.identity, profile, now);
    else {
      try {
        await identities.link(d.user.id, profile, now);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // Linked a moment ago by a parallel login: fine if it is this user's, a conflict otherwise.
        const linked = await identities.find(profile);
        if (linked?.userId !== d.user.id) return null;
      }
    }
    if (ctx.config.sso.autoUpdate) await refreshUser(ctx, dataModel, d.user.id, d.rule, profile);
    return (await ctx.users.findActiveById(d.user.id)) ?? d.user;
  }
}
