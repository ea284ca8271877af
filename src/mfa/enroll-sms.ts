// enroll-sms/: a phone number (checked, then enrolled at WorkOS and texted a code), resend, start over, and the
// code that verifies it. Every send is rate-limited per user and per IP, and counted before WorkOS is asked.
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Message } from '../context.ts';
import { flash, saveSession } from '../http/session.ts';
import { errorMessages, type Enrollment } from './enroll.ts';
import type { Gate } from './flow.ts';
import type { PendingEnrollment } from './pending.ts';
import { SMS_SENT } from './verify-routes.ts';

/** E.164 after removing the spaces, dots, dashes and parentheses people type. */
export const phoneNumberSchema = z
  .string()
  .trim()
  .max(40)
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/));

const smsBody = z.object({
  action: z.enum(['enroll', 'send', 'verify', 'restart']).catch('verify'),
  phone_number: z.string().max(200).catch(''),
  code: z.string().max(64).catch(''),
});
type SmsBody = z.output<typeof smsBody>;

export function smsEnrollRoutes(enroll: Enrollment): Router {
  const { flow } = enroll;

  const render = (req: Request, res: Response, gate: Gate, status = 200, messages: Message[] = [], phoneNumber = '') => {
    const pending = enroll.pending(gate, 'sms');
    const enrollment = pending ? { phone_number: pending.phoneNumber ?? '', sent: gate.pending.challenge?.factorId === pending.factorId } : null;
    enroll.page(req, res, 'enroll-sms', { phone_number: phoneNumber, enrollment }, status, messages);
  };

  async function sent(req: Request, res: Response): Promise<void> {
    flash(req, 'info', SMS_SENT);
    await saveSession(req);
    res.redirect(303, flow.url(req, 'enroll-sms'));
  }

  function throttled(req: Request, res: Response, gate: Gate, wait: number, typed = ''): void {
    res.set('Retry-After', String(wait));
    render(req, res, gate, 429, errorMessages('mfa_sms_throttled'), typed);
  }

  async function enrollNumber(req: Request, res: Response, gate: Gate, body: SmsBody): Promise<void> {
    const typed = body.phone_number.trim();
    const phone = phoneNumberSchema.safeParse(typed);
    if (!phone.success) return render(req, res, gate, 400, errorMessages('mfa_phone_invalid'), typed);
    // One send per number submitted: counted before WorkOS creates anything.
    const wait = await flow.takeSmsSend(req, gate.user.id);
    if (wait > 0) return throttled(req, res, gate, wait, typed);
    const factor = await flow.api.enrollSms(phone.data);
    if ('rejected' in factor) return render(req, res, gate, 400, errorMessages('mfa_phone_rejected'), typed);
    await enroll.begin(gate, { factorId: factor.id, type: 'sms', phoneNumber: phone.data });
    await saveSession(req);
    await flow.sendSms(req, gate, factor.id, true);
    await sent(req, res);
  }

  async function resend(req: Request, res: Response, gate: Gate, pending: PendingEnrollment): Promise<void> {
    const wait = await flow.sendSms(req, gate, pending.factorId);
    if (wait > 0) return throttled(req, res, gate, wait);
    await sent(req, res);
  }

  async function verify(req: Request, res: Response, gate: Gate, pending: PendingEnrollment, code: string): Promise<void> {
    const outcome = await flow.checkCode(gate, pending.factorId, 'sms', code);
    if (outcome === 'ok') return enroll.saveAndShowCodes(req, res, gate, pending);
    await flow.reportFailure(req, res, gate, outcome, (status, failure) => render(req, res, gate, status, errorMessages(failure)));
  }

  async function act(req: Request, res: Response, gate: Gate, body: SmsBody): Promise<void> {
    if (body.action === 'enroll') return enrollNumber(req, res, gate, body);
    if (body.action === 'restart') return enroll.restart(req, res, gate, 'enroll-sms');
    const pending = enroll.pending(gate, 'sms');
    if (!pending) return render(req, res, gate, 400, errorMessages('mfa_no_enrollment'));
    return body.action === 'send' ? resend(req, res, gate, pending) : verify(req, res, gate, pending, body.code);
  }

  return enroll.routes('enroll-sms', (req, res, gate) => render(req, res, gate), (req, res, gate) => act(req, res, gate, smsBody.parse(req.body ?? {})));
}
