// First enrollment from a half-login: enroll/ (choose), enroll-totp/ (QR code + secret, then a code),
// enroll-sms/ (phone number, texted code), and recovery-codes/ (shown once, then on to the login). The WorkOS
// factor id stays in the session; the factor is saved only after a code verifies. A user who has a factor is refused.
import { Router, type RequestHandler } from 'express';
import { Enrollment } from './enroll.ts';
import { smsEnrollRoutes } from './enroll-sms.ts';
import { totpEnrollRoutes } from './enroll-totp.ts';
import type { MfaFlow } from './flow.ts';

export function enrollRoutes(flow: MfaFlow): Router {
  const enroll = new Enrollment(flow);
  const { ctx } = flow;

  const choose: RequestHandler = async (req, res) => {
    const gate = await enroll.gate(req, res);
    if (!gate) return;
    ctx.renderer.render(req, res, 'mfa_enroll', { totp_url: flow.url(req, 'enroll-totp'), sms_url: flow.url(req, 'enroll-sms'), login_url: flow.loginUrl(req, gate.pending.next) });
  };

  // The codes were in the enrollment response only; a reload shows the way on, never the codes again.
  const showRecoveryCodes: RequestHandler = async (req, res) => {
    const gate = await flow.gate(req, res);
    if (!gate) return;
    if (!gate.pending.passed) return res.redirect(303, flow.url(req, gate.factors.length ? 'verify' : 'enroll'));
    ctx.renderer.render(req, res, 'mfa_recovery_codes', { codes: null, action: flow.url(req, 'recovery-codes') });
  };

  const continueAfterCodes: RequestHandler = async (req, res) => {
    const gate = await flow.gate(req, res);
    if (!gate) return;
    if (!gate.pending.passed) return res.redirect(303, flow.url(req, gate.factors.length ? 'verify' : 'enroll'));
    await flow.finish(req, res, gate, null);
  };

  return Router()
    .get('/enroll', choose)
    .use(totpEnrollRoutes(enroll), smsEnrollRoutes(enroll))
    .get('/recovery-codes', showRecoveryCodes)
    .post('/recovery-codes', continueAfterCodes);
}
