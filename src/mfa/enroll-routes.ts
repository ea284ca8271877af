// First enrollment from a half-login: enroll/ (choose), enroll-totp/ (QR code + secret, then a code),
// enroll-sms/ (phone number, texted code). The WorkOS factor id stays in the session; the factor is saved
// only after a code verifies, with 10 recovery codes shown once. A user who has a factor is refused.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditContext, publicUser, ruleRef } from '../context.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { flash, saveSession } from '../http/session.ts';
import type { Gate, MfaFlow } from './flow.ts';
import type { PendingEnrollment } from './pending.ts';
import { SMS_SENT } from './verify-routes.ts';

/** E.164 after removing the spaces, dots, dashes and parentheses people type. */
export const phoneNumberSchema = z
  .string()
  .trim()
  .max(40)
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/));

const totpBody = z.object({ action: z.enum(['start', 'verify']).catch('verify'), code: z.string().max(64).catch('') });
const smsBody = z.object({
  action: z.enum(['enroll', 'send', 'verify', 'restart']).catch('verify'),
  phone_number: z.string().max(200).catch(''),
  code: z.string().max(64).catch(''),
});

type Messages = { level: string; text: string }[];
const error = (code: LoginErrorCode): Messages => [{ level: 'error', text: messageFor(code) }];

export function enrollRoutes(flow: MfaFlow): Router {
  const router = Router();
  const { ctx } = flow;

  /**
   * The half-login of a user without a factor, or null after answering. A user who has a factor never
   * enrolls from a half-login (the original's bypass): they are sent to verify/ and nothing reaches WorkOS.
   */
  async function enrollGate(req: Request, res: Response): Promise<Gate | null> {
    const gate = await flow.gate(req, res);
    if (!gate) return null;
    if (gate.pending.passed) {
      res.redirect(303, flow.url(req, 'recovery-codes'));
      return null;
    }
    if (gate.factors.length > 0) {
      delete gate.pending.enrollment;
      flash(req, 'error', messageFor('mfa_already_enrolled'));
      await saveSession(req);
      res.redirect(303, flow.url(req, 'verify'));
      return null;
    }
    return gate;
  }

  const enrollment = (gate: Gate, type: 'totp' | 'sms'): PendingEnrollment | undefined =>
    gate.pending.enrollment?.type === type ? gate.pending.enrollment : undefined;

  /** A verified code: save the factor with recovery codes, then show the codes (once). */
  async function saveAndShowCodes(req: Request, res: Response, gate: Gate, enrolled: PendingEnrollment): Promise<void> {
    const saved = await flow.store.saveFirstFactor(gate.user.id, { workosFactorId: enrolled.factorId, type: enrolled.type, phoneNumber: enrolled.phoneNumber });
    delete gate.pending.enrollment;
    delete gate.pending.challenge;
    if (!saved) {
      flash(req, 'error', messageFor('mfa_already_enrolled'));
      await saveSession(req);
      return res.redirect(303, flow.url(req, 'verify'));
    }
    gate.pending.passed = true;
    await saveSession(req);
    ctx.events.emit('mfaEnrolled', {
      ...auditContext(req),
      user: publicUser(gate.user),
      factor: { id: saved.factor.id, type: saved.factor.type },
      rule: ruleRef(gate.rule),
    });
    ctx.renderer.render(req, res, 'mfa_recovery_codes', { codes: saved.recoveryCodes, action: flow.url(req, 'recovery-codes') });
  }

  // --- choose ---------------------------------------------------------------------------------------------
  router.get('/enroll', async (req, res) => {
    const gate = await enrollGate(req, res);
    if (!gate) return;
    ctx.renderer.render(req, res, 'mfa_enroll', { totp_url: flow.url(req, 'enroll-totp'), sms_url: flow.url(req, 'enroll-sms'), login_url: flow.loginUrl(req, gate.pending.next) });
  });

  // --- TOTP -----------------------------------------------------------------------------------------------
  const renderTotp = (req: Request, res: Response, gate: Gate, status = 200, messages: Messages = []) => {
    const pending = enrollment(gate, 'totp');
    ctx.renderer.render(
      req,
      res,
      'mfa_enroll_totp',
      {
        action: flow.url(req, 'enroll-totp'),
        enroll_url: flow.url(req, 'enroll'),
        enrollment: pending?.totp
          ? { qr_code: pending.totp.qrCode, secret: pending.totp.secret.replace(/(.{4})(?=.)/g, '$1 '), issuer: pending.totp.issuer, account: pending.totp.account }
          : null,
      },
      { status, messages },
    );
  };

  router.get('/enroll-totp', async (req, res) => {
    const gate = await enrollGate(req, res);
    if (gate) renderTotp(req, res, gate);
  });

  router.post('/enroll-totp', async (req, res) => {
    const gate = await enrollGate(req, res);
    if (!gate) return;
    const body = totpBody.parse(req.body ?? {});
    try {
      if (body.action === 'start') {
        const issuer = gate.rule.totpOrganizationName;
        const account = gate.user.email || gate.user.username;
        const factor = await flow.api.enrollTotp(issuer, account);
        gate.pending.enrollment = { factorId: factor.id, type: 'totp', totp: { secret: factor.secret, qrCode: factor.qrCode, issuer, account } };
        delete gate.pending.challenge;
        await saveSession(req);
        return res.redirect(303, flow.url(req, 'enroll-totp'));
      }
      const enrolled = enrollment(gate, 'totp');
      if (!enrolled) return renderTotp(req, res, gate, 400, error('mfa_no_enrollment'));
      const outcome = await flow.checkCode(gate, enrolled.factorId, 'totp', body.code);
      if (outcome === 'ok') return await saveAndShowCodes(req, res, gate, enrolled);
      await flow.reportFailure(req, res, gate, outcome, (status, code) => renderTotp(req, res, gate, status, error(code)));
    } catch (err) {
      await flow.upstream(req, res, err, 'enroll-totp');
    }
  });

  // --- SMS ------------------------------------------------------------------------------------------------
  const renderSms = (req: Request, res: Response, gate: Gate, status = 200, messages: Messages = [], phoneNumber = '') => {
    const pending = enrollment(gate, 'sms');
    ctx.renderer.render(
      req,
      res,
      'mfa_enroll_sms',
      {
        action: flow.url(req, 'enroll-sms'),
        enroll_url: flow.url(req, 'enroll'),
        phone_number: phoneNumber,
        enrollment: pending ? { phone_number: pending.phoneNumber ?? '', sent: gate.pending.challenge?.factorId === pending.factorId } : null,
      },
      { status, messages },
    );
  };

  router.get('/enroll-sms', async (req, res) => {
    const gate = await enrollGate(req, res);
    if (gate) renderSms(req, res, gate);
  });

  router.post('/enroll-sms', async (req, res) => {
    const gate = await enrollGate(req, res);
    if (!gate) return;
    const body = smsBody.parse(req.body ?? {});
    const pending = enrollment(gate, 'sms');
    const sent = async () => {
      flash(req, 'info', SMS_SENT);
      await saveSession(req);
      res.redirect(303, flow.url(req, 'enroll-sms'));
    };
    const throttled = (wait: number, typed = '') => {
      res.set('Retry-After', String(wait));
      renderSms(req, res, gate, 429, error('mfa_sms_throttled'), typed);
    };
    try {
      switch (body.action) {
        case 'enroll': {
          const typed = body.phone_number.trim();
          const phone = phoneNumberSchema.safeParse(typed);
          if (!phone.success) return renderSms(req, res, gate, 400, error('mfa_phone_invalid'), typed);
          // One send per number submitted: counted before WorkOS creates anything.
          const wait = await flow.takeSmsSend(req, gate.user.id);
          if (wait > 0) return throttled(wait, typed);
          const factor = await flow.api.enrollSms(phone.data);
          if ('rejected' in factor) return renderSms(req, res, gate, 400, error('mfa_phone_rejected'), typed);
          gate.pending.enrollment = { factorId: factor.id, type: 'sms', phoneNumber: phone.data };
          delete gate.pending.challenge;
          await saveSession(req);
          await flow.sendSms(req, gate, factor.id, true);
          return await sent();
        }
        case 'send': {
          if (!pending) return renderSms(req, res, gate, 400, error('mfa_no_enrollment'));
          const wait = await flow.sendSms(req, gate, pending.factorId);
          if (wait > 0) return throttled(wait);
          return await sent();
        }
        case 'restart': {
          delete gate.pending.enrollment;
          delete gate.pending.challenge;
          await saveSession(req);
          return res.redirect(303, flow.url(req, 'enroll-sms'));
        }
        default: {
          if (!pending) return renderSms(req, res, gate, 400, error('mfa_no_enrollment'));
          const outcome = await flow.checkCode(gate, pending.factorId, 'sms', body.code);
          if (outcome === 'ok') return await saveAndShowCodes(req, res, gate, pending);
          await flow.reportFailure(req, res, gate, outcome, (status, code) => renderSms(req, res, gate, status, error(code)));
        }
      }
    } catch (err) {
      await flow.upstream(req, res, err, 'enroll-sms');
    }
  });

  // --- recovery codes, then the login ----------------------------------------------------------------------
  router.get('/recovery-codes', async (req, res) => {
    const gate = await flow.gate(req, res);
    if (!gate) return;
    if (!gate.pending.passed) return res.redirect(303, flow.url(req, gate.factors.length ? 'verify' : 'enroll'));
    // The codes were in the enrollment response only; a reload shows the way on, never the codes again.
    ctx.renderer.render(req, res, 'mfa_recovery_codes', { codes: null, action: flow.url(req, 'recovery-codes') });
  });

  router.post('/recovery-codes', async (req, res) => {
    const gate = await flow.gate(req, res);
    if (!gate) return;
    if (!gate.pending.passed) return res.redirect(303, flow.url(req, gate.factors.length ? 'verify' : 'enroll'));
    await flow.finish(req, res, gate, null);
  });

  return router;
}
