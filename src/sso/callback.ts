// GET callback/sso/: where WorkOS sends the browser back. The state (if any) is taken out of the session first;
// then the IdP's error, or the code exchange, the decision (src/sso/decide.ts), JIT creation or linking, auto
// update, and the login. Every refusal is a message on the login page (400/403) and a `loginFailed` event.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { auditContext, publicUser, ruleRef } from '../context.ts';
import type { DataModel } from '../core/jit-model.ts';
import type { JitProfile } from '../core/jit.ts';
import { isSsoMethod, type LoginRule } from '../core/rules.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { UserRow } from '../db/types.ts';
import { LoginError, messageFor } from '../errors.ts';
import { completeLogin } from '../http/auth.ts';
import { saveSession } from '../http/session.ts';
import { sdkCode } from '../workos/client.ts';
import { refusal, type Decision, type Refusal, type SsoDecider } from './decide.ts';
import type { SsoIdentities } from './identities.ts';
import { idpDescription, idpErrorCode } from './idp-errors.ts';
import { toJitProfile, type SdkProfile } from './profile.ts';
import { provisionUser } from './provision.ts';
import { startSso } from './start.ts';
import { takePending, type SsoPending } from './state.ts';
import { refreshUser } from './update.ts';

// A repeated or over-long parameter is treated as absent (and then refused), never as a 500.
const param = (max: number) => z.string().max(max).optional().catch(undefined);
const callbackQuery = z.object({
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

export function ssoCallbackRoutes(ctx: Context, services: SsoServices): Router {
  const router = Router();
  const home = ctx.config.loginRedirectUrl;
  const { decider, identities, dataModel } = services;

  const renderLogin = (req: Request, res: Response, pending: SsoPending | null, status: number, texts: string[]) =>
    ctx.renderer.render(
      req,
      res,
      'login',
      { step: 'username', username: pending?.typed ?? '', next: pending?.next ?? home, home_url: home },
      { status, messages: texts.map((text) => ({ level: 'error', text })) },
    );

  function refuse(req: Request, res: Response, r: Refusal, pending: SsoPending | null, profile: JitProfile | null, extra: string[] = []): void {
    ctx.events.emit('loginFailed', {
      ...auditContext(req),
      username: pending?.typed || profile?.email || '',
      user: r.user ? { id: r.user.id, username: r.user.username } : null,
      rule: ruleRef(r.rule),
      method: r.rule?.method ?? null,
      reason: r.reason,
    });
    // Codes, states and tokens never reach the log: only what was decided and why.
    ctx.config.logger.info(`express-workos-login: SSO login refused (${r.reason})${r.detail ? `: ${r.detail}` : ''}`, { ruleId: r.rule?.id ?? null, userId: r.user?.id ?? null });
    renderLogin(req, res, pending, r.status, [messageFor(r.code), ...extra]);
  }

  /** The profile for a code, or null when WorkOS says the code expired or was used (network/5xx: error page). */
  async function exchange(code: string): Promise<JitProfile | null> {
    try {
      const { profile } = await ctx.workos.call(
        'sso.getProfileAndToken',
        (sdk) => sdk.sso.getProfileAndToken({ code, clientId: ctx.workos.clientId }),
        (err) => sdkCode(err) === 'invalid_grant',
      );
      return toJitProfile(profile as unknown as SdkProfile);
    } catch (err) {
      if (err instanceof LoginError) throw err;
      return null;
    }
  }

  async function idpError(req: Request, res: Response, q: CallbackQuery, pending: SsoPending | null): Promise<void> {
    const error = q.error ?? '';
    if (error === 'idp_initiated_sso_disabled' && !pending) {
      // WorkOS refused an IdP-initiated login and names the tenant: restart it SP-initiated (fresh state) if the
      // rule for that tenant opted in to IdP-initiated logins.
      const org = q.organization ?? q.organization_id;
      const conn = q.connection ?? q.connection_id;
      const rule = (await ctx.rules.list()).find(
        (r) => r.enabled && isSsoMethod(r.method) && r.allowIdpInitiated && ((!!org && r.organizationId === org) || (!!conn && r.connectionId === conn)),
      );
      if (rule) return startSso(ctx, { req, typed: '', user: null, rule, next: home }, res);
    }
    const rule = pending ? await ctx.rules.get(pending.ruleId) : null;
    const description = idpDescription(q.error_description);
    refuse(req, res, refusal(idpErrorCode(error), 'sso_idp_error', { status: 400, rule, detail: `identity provider error "${error.slice(0, 60)}"` }), pending, null, description ? [description] : []);
  }

  const decide = (pending: SsoPending | null, profile: JitProfile): Promise<Decision> =>
    pending ? decider.forStarted(pending, profile) : decider.forIdpInitiated(profile);

  /** Links (or touches) the identity, refreshes the user when autoUpdate is on; null if the link raced. */
  async function prepareExisting(d: Extract<Decision, { kind: 'login' }>, profile: JitProfile): Promise<UserRow | null> {
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
    if (ctx.config.autoUpdate) await refreshUser(ctx, dataModel, d.user.id, d.rule, profile);
    return (await ctx.users.findActiveById(d.user.id)) ?? d.user;
  }

  router.get('/callback/sso', async (req, res) => {
    const q = callbackQuery.parse(req.query ?? {});
    let pending: SsoPending | null = null;
    if (q.state !== undefined) {
      // Single use: the state leaves the session (and the session is saved) before anything else happens.
      const taken = takePending(req, q.state, ctx.now());
      await saveSession(req);
      if (!taken.ok) return refuse(req, res, refusal(taken.code, 'sso_state_invalid', { status: 400, detail: taken.code === 'sso_state_expired' ? 'state expired' : 'state unknown to this session' }), null, null);
      pending = taken.pending;
    }
    if (q.error !== undefined) return idpError(req, res, q, pending);
    if (!q.code) return refuse(req, res, refusal('sso_code_invalid', 'sso_code_invalid', { status: 400, detail: 'callback without a code' }), pending, null);

    const profile = await exchange(q.code);
    if (!profile) {
      const rule = pending ? await ctx.rules.get(pending.ruleId) : null;
      return refuse(req, res, refusal('sso_code_invalid', 'sso_code_invalid', { status: 400, rule, detail: 'WorkOS refused the code (invalid_grant)' }), pending, null);
    }

    let decision = await decide(pending, profile);
    let user: UserRow | null = null;
    let rule: LoginRule | null = null;
    if (decision.kind === 'jit') {
      const result = await provisionUser(ctx, identities, dataModel, decision.rule, profile);
      if (result.kind === 'refused') {
        const reason = result.code === 'sso_username_taken' ? 'sso_identity_conflict' : 'sso_not_provisioned';
        return refuse(req, res, refusal(result.code, reason, { rule: decision.rule, detail: result.detail }), pending, profile);
      }
      if (result.kind === 'created') {
        ctx.events.emit('userCreated', { user: publicUser(result.user), profile: structuredClone(profile), rule: ruleRef(decision.rule)! });
        ({ user, rule } = { user: result.user, rule: decision.rule });
        // Saved attributes may create the account inactive: it exists, but does not log in.
        if (!(await ctx.users.findActiveById(user.id))) return refuse(req, res, refusal('sso_account_disabled', 'sso_account_disabled', { user, rule }), pending, profile);
      } else {
        // Another request created this person a moment ago: log in as that account, like any returning user.
        decision = await decide(pending, profile);
      }
    }
    if (decision.kind === 'refuse') return refuse(req, res, decision, pending, profile);
    if (decision.kind === 'login') {
      user = await prepareExisting(decision, profile);
      if (!user) return refuse(req, res, refusal('sso_identity_conflict', 'sso_identity_conflict', { user: decision.user, rule: decision.rule, detail: 'identity linked concurrently' }), pending, profile);
      rule = decision.rule;
    }
    if (!user || !rule) throw new LoginError('server', 500);
    await completeLogin(ctx, req, res, user, rule, pending?.next ?? home);
  });

  return router;
}
