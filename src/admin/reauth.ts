// The admin's re-authentication page: the person's password, or a current code of their MFA factor (TOTP, or an SMS
// sent on request). Wrong passwords count against the same throttle as logins; codes are single-use here too.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { auditContext } from '../context.ts';
import type { FactorRow } from '../db/types.ts';
import type { AdminUserRows } from '../db/admin-ports.ts';
import { messageFor } from '../errors.ts';
import { workosErrorCode } from '../mfa/factors-api.ts';
import { LoginThrottle, Throttle } from '../http/rate-limit.ts';
import { flash, saveSession } from '../http/session.ts';
import { adminBase, adminUser, reauthState, safeAdminPath } from './access.ts';

const body = z.object({
  action: z.enum(['password', 'send', 'code']).catch('password'),
  password: z.string().max(4096).default('').catch(''),
  code: z.string().max(20).default('').catch(''),
  next: z.string().max(2048).default('').catch(''),
});

export function reauthRoutes(ctx: Context, rows: AdminUserRows): Router {
  // A code accepted here is not accepted again while it is still valid (two minutes covers ±1 step of drift).
  const usedCodes = new Throttle(ctx.limiters('admin-reauth-code-used', { points: 1, durationSeconds: 120 }), 1);

  async function page(req: Request, res: Response, next: string, options: { status?: number; error?: string; sent?: boolean } = {}) {
    const me = adminUser(req);
    const [user, factors] = await Promise.all([ctx.users.findById(me.id), rows.factors(me.id)]);
    const factor = factors[0];
    ctx.renderer.render(
      req,
      res,
      'admin_reauth',
      {
        next,
        action: `${adminBase(req)}/reauth/`,
        has_password: !!user?.passwordHash,
        factor_type: factor?.type ?? null,
        sent: options.sent ?? !!reauthState(req).challenge,
        admin_url: `${adminBase(req)}/`,
        minutes: Math.round(ctx.config.admin.reauthSeconds / 60),
      },
      { status: options.status ?? 200, messages: options.error ? [{ level: 'error', text: options.error }] : [] },
    );
  }

  const show: RequestHandler = (req, res) => page(req, res, safeAdminPath(String(req.query.next ?? ''), req) ?? `${adminBase(req)}/`);

  const submit: RequestHandler = async (req, res) => {
    const b = body.parse(req.body ?? {});
    const next = safeAdminPath(b.next, req) ?? `${adminBase(req)}/`;
    const me = adminUser(req);
    const ip = auditContext(req).ip;
    const account = LoginThrottle.accountKey(me.username, me.id);
    const state = reauthState(req);
    const factor: FactorRow | undefined = (await rows.factors(me.id))[0];

    if (b.action === 'send') {
      if (factor?.type !== 'sms') return page(req, res, next, { status: 400, error: 'There is no phone to send a code to.' });
      const challenge = await ctx.workos.call('mfa.challengeFactor', (sdk) => sdk.mfa.challengeFactor({ authenticationFactorId: factor.workosFactorId }));
      state.challenge = { id: challenge.id, factorId: factor.workosFactorId };
      await saveSession(req);
      return page(req, res, next, { sent: true });
    }
    if ((await ctx.throttle.begin(account, ip)) > 0) return page(req, res, next, { status: 429, error: messageFor('throttled') });
    let proven = false;
    if (b.action === 'password') {
      const user = await ctx.users.findById(me.id);
      proven = !!user?.passwordHash && (await ctx.hasher.verify(b.password, user.passwordHash));
    } else if (factor) {
      proven = await verifyCode(factor, b.code.replace(/\s/g, ''), state);
    }
    if (!proven) {
      return page(req, res, next, { status: 400, error: b.action === 'password' ? 'That password is not right.' : 'That code is not right, or it was used already.' });
    }
    await ctx.throttle.succeeded(account, ip);
    state.at = ctx.now();
    delete state.challenge;
    flash(req, 'success', 'Thank you. You can make the change now.');
    await saveSession(req);
    res.redirect(303, next);
  };

  async function verifyCode(factor: FactorRow, code: string, state: ReturnType<typeof reauthState>): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    if (factor.type === 'sms' && state.challenge?.factorId !== factor.workosFactorId) return false;
    const usedKey = `${factor.workosFactorId}:${code}`;
    if (factor.type === 'totp' && !(await usedCodes.take(usedKey))) return false;
    let accepted = false;
    try {
      const challengeId =
        factor.type === 'sms'
          ? state.challenge!.id
          : (await ctx.workos.call('mfa.challengeFactor', (sdk) => sdk.mfa.challengeFactor({ authenticationFactorId: factor.workosFactorId }))).id;
      const known = (err: unknown) => workosErrorCode(err) !== undefined;
      try {
        const result = await ctx.workos.call('mfa.verifyChallenge', (sdk) => sdk.mfa.verifyChallenge({ authenticationChallengeId: challengeId, code }), known);
        accepted = result.valid === true;
      } catch (err) {
        if (!known(err)) throw err;
      }
      return accepted;
    } finally {
      if (factor.type === 'totp' && !accepted) await usedCodes.reset(usedKey);
    }
  }

  return Router().get('/admin/reauth', show).post('/admin/reauth', submit);
}
