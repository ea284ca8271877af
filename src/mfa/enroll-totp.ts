// enroll-totp/: start a TOTP factor at WorkOS (QR code and secret, kept in the half-login), then verify a code.
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Message } from '../context.ts';
import { saveSession } from '../http/session.ts';
import { errorMessages, type Enrollment } from './enroll.ts';
import type { Gate } from './flow.ts';

const totpBody = z.object({ action: z.enum(['start', 'verify']).catch('verify'), code: z.string().max(64).catch('') });

export function totpEnrollRoutes(enroll: Enrollment): Router {
  const { flow } = enroll;

  const render = (req: Request, res: Response, gate: Gate, status = 200, messages: Message[] = []) => {
    const totp = enroll.pending(gate, 'totp')?.totp;
    const enrollment = totp ? { qr_code: totp.qrCode, secret: totp.secret.replace(/(.{4})(?=.)/g, '$1 '), issuer: totp.issuer, account: totp.account } : null;
    enroll.page(req, res, 'enroll-totp', { enrollment }, status, messages);
  };

  async function start(req: Request, res: Response, gate: Gate): Promise<void> {
    // Only `mfa` rules name an issuer; a factor replaced under another rule (mfa/) is labelled with the site's host.
    const issuer = gate.rule.totpOrganizationName || new URL(flow.ctx.config.baseUrl).hostname;
    const account = gate.user.email || gate.user.username;
    const factor = await flow.api.enrollTotp(issuer, account);
    await enroll.begin(gate, { factorId: factor.id, type: 'totp', totp: { secret: factor.secret, qrCode: factor.qrCode, issuer, account } });
    await saveSession(req);
    res.redirect(303, flow.url(req, 'enroll-totp'));
  }

  async function verify(req: Request, res: Response, gate: Gate, code: string): Promise<void> {
    const enrolled = enroll.pending(gate, 'totp');
    if (!enrolled) return render(req, res, gate, 400, errorMessages('mfa_no_enrollment'));
    const outcome = await flow.checkCode(gate, enrolled.factorId, 'totp', code);
    if (outcome === 'ok') return enroll.saveAndShowCodes(req, res, gate, enrolled);
    await flow.reportFailure(req, res, gate, outcome, (status, failure) => render(req, res, gate, status, errorMessages(failure)));
  }

  const act = (req: Request, res: Response, gate: Gate): Promise<void> => {
    const body = totpBody.parse(req.body ?? {});
    return body.action === 'start' ? start(req, res, gate) : verify(req, res, gate, body.code);
  };

  return enroll.routes('enroll-totp', (req, res, gate) => render(req, res, gate), act);
}
