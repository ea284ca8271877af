// verify/: the second factor for a user who has one. TOTP: enter the app's code. SMS: "Send code" (an
// explicit, rate-limited POST, never a page load), then the texted code. A recovery code works instead.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { flash, saveSession } from '../http/session.ts';
import type { Gate, MfaFlow } from './flow.ts';
import type { FactorRow } from './store.ts';

const verifyBody = z.object({
  action: z.enum(['verify', 'send', 'recovery']).catch('verify'),
  code: z.string().max(64).catch(''),
  recovery_code: z.string().max(64).catch(''),
});

export const SMS_SENT = 'We sent a code by text message. It is valid for 10 minutes.';

/** "ending in 0006": enough to recognise the phone, not the whole number. */
export function phoneHint(phone: string | null | undefined): string {
  return phone ? phone.slice(-4) : '';
}

export function verifyRoutes(flow: MfaFlow): Router {
  const router = Router();
  const { ctx } = flow;

  /** The factor challenged at login: the user's first one. */
  const primary = (gate: Gate): FactorRow => gate.factors[0]!;

  const render = (req: Request, res: Response, gate: Gate, status = 200, error?: LoginErrorCode) => {
    const factor = primary(gate);
    const sent = factor.type === 'sms' && gate.pending.challenge?.factorId === factor.workosFactorId;
    ctx.renderer.render(
      req,
      res,
      'mfa_verify',
      { factor_type: factor.type, phone_hint: phoneHint(factor.phoneNumber), sent, action: flow.url(req, 'verify'), login_url: flow.loginUrl(req, gate.pending.next) },
      { status, messages: error ? [{ level: 'error', text: messageFor(error) }] : [] },
    );
  };

  /** Routes the half-login to the page it belongs on; true when it answered. */
  const elsewhere = (req: Request, res: Response, gate: Gate): boolean => {
    if (gate.pending.passed) res.redirect(303, flow.url(req, 'recovery-codes'));
    else if (gate.factors.length === 0) res.redirect(303, flow.url(req, 'enroll'));
    else return false;
    return true;
  };

  router.get('/verify', async (req, res) => {
    const gate = await flow.gate(req, res);
    if (!gate || elsewhere(req, res, gate)) return;
    render(req, res, gate);
  });

  router.post('/verify', async (req, res) => {
    const gate = await flow.gate(req, res);
    if (!gate || elsewhere(req, res, gate)) return;
    const body = verifyBody.parse(req.body ?? {});
    const factor = primary(gate);
    const rerender = (status: number, code: LoginErrorCode) => render(req, res, gate, status, code);

    try {
      if (body.action === 'send') {
        if (factor.type !== 'sms') return res.redirect(303, flow.url(req, 'verify'));
        const wait = await flow.sendSms(req, gate, factor.workosFactorId);
        if (wait > 0) {
          res.set('Retry-After', String(wait));
          return rerender(429, 'mfa_sms_throttled');
        }
        flash(req, 'info', SMS_SENT);
        await saveSession(req);
        return res.redirect(303, flow.url(req, 'verify'));
      }

      const outcome =
        body.action === 'recovery'
          ? await flow.checkRecoveryCode(gate, body.recovery_code)
          : await flow.checkCode(gate, factor.workosFactorId, factor.type, body.code);
      if (outcome === 'ok') return await flow.finish(req, res, gate, body.action === 'recovery' ? null : factor);
      await flow.reportFailure(req, res, gate, outcome, rerender);
    } catch (err) {
      await flow.upstream(req, res, err, 'verify');
    }
  });

  return router;
}
