// What the enrollment pages share: the gate (a half-login of a user without a factor), the enrollment in
// progress, the common page data, and the last step (save the factor with recovery codes, show them once).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { auditContext, publicUser, ruleRef, type Message } from '../context.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { flash, saveSession } from '../http/session.ts';
import type { Gate, MfaFlow, MfaPage } from './flow.ts';
import type { PendingEnrollment } from './pending.ts';

export const errorMessages = (code: LoginErrorCode): Message[] => [{ level: 'error', text: messageFor(code) }];

export class Enrollment {
  readonly ctx: MfaFlow['ctx'];

  constructor(readonly flow: MfaFlow) {
    this.ctx = flow.ctx;
  }

  /**
   * The half-login of a user without a factor, or null after answering. A user who has a factor never
   * enrolls from a half-login (the original's bypass): they are sent to verify/ and nothing reaches WorkOS.
   */
  async gate(req: Request, res: Response): Promise<Gate | null> {
    const gate = await this.flow.gate(req, res);
    if (!gate) return null;
    if (gate.pending.passed) {
      res.redirect(303, this.flow.url(req, 'recovery-codes'));
      return null;
    }
    if (gate.factors.length > 0) {
      delete gate.pending.enrollment;
      return this.alreadyEnrolled(req, res);
    }
    return gate;
  }

  /** The enrollment of this type in progress, if any. */
  pending(gate: Gate, type: 'totp' | 'sms'): PendingEnrollment | undefined {
    return gate.pending.enrollment?.type === type ? gate.pending.enrollment : undefined;
  }

  /** Renders one of the enrollment pages with what they all show. */
  page(req: Request, res: Response, page: Extract<MfaPage, 'enroll-totp' | 'enroll-sms'>, data: Record<string, unknown>, status = 200, messages: Message[] = []): void {
    const template = page === 'enroll-totp' ? 'mfa_enroll_totp' : 'mfa_enroll_sms';
    this.ctx.renderer.render(req, res, template, { action: this.flow.url(req, page), enroll_url: this.flow.url(req, 'enroll'), ...data }, { status, messages });
  }

  /** A new enrollment replaces any other (and any challenge sent for it). */
  async begin(gate: Gate, enrollment: PendingEnrollment): Promise<void> {
    await this.abandon(gate);
    gate.pending.enrollment = enrollment;
    delete gate.pending.challenge;
  }

  /**
   * Deletes at WorkOS the unverified factor an enrollment started and left (started again, or restarted), so that
   * abandoned factors do not pile up there. Best effort: a failure is logged and never blocks the new enrollment.
   */
  private async abandon(gate: Gate): Promise<void> {
    const old = gate.pending.enrollment;
    if (!old) return;
    delete gate.pending.enrollment;
    try {
      await this.flow.api.remove(old.factorId);
    } catch (err) {
      this.ctx.config.logger.warn(`express-workos-login: could not delete the abandoned, unverified ${old.type} factor of user ${gate.user.id} at WorkOS`, {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** Starts over on `page`: no enrollment and no challenge left in the half-login. */
  async restart(req: Request, res: Response, gate: Gate, page: MfaPage): Promise<void> {
    await this.abandon(gate);
    delete gate.pending.challenge;
    await saveSession(req);
    res.redirect(303, this.flow.url(req, page));
  }

  /** A verified code: save the factor with recovery codes, then show the codes (once). */
  async saveAndShowCodes(req: Request, res: Response, gate: Gate, enrolled: PendingEnrollment): Promise<void> {
    const saved = await this.flow.store.saveFirstFactor(gate.user.id, { workosFactorId: enrolled.factorId, type: enrolled.type, phoneNumber: enrolled.phoneNumber });
    delete gate.pending.enrollment;
    delete gate.pending.challenge;
    if (!saved) return void (await this.alreadyEnrolled(req, res));
    gate.pending.passed = true;
    await saveSession(req);
    this.ctx.events.emit('mfaEnrolled', { ...auditContext(req), user: publicUser(gate.user), factor: { id: saved.factor.id, type: saved.factor.type }, rule: ruleRef(gate.rule) });
    this.ctx.renderer.render(req, res, 'mfa_recovery_codes', { codes: saved.recoveryCodes, action: this.flow.url(req, 'recovery-codes') });
  }

  /** GET and POST of an enrollment page: both behind the gate; WorkOS failures keep the half-login for a retry. */
  routes(page: Extract<MfaPage, 'enroll-totp' | 'enroll-sms'>, show: (req: Request, res: Response, gate: Gate) => void, act: (req: Request, res: Response, gate: Gate) => Promise<void>): Router {
    const get: RequestHandler = async (req, res) => {
      const gate = await this.gate(req, res);
      if (gate) show(req, res, gate);
    };
    const post: RequestHandler = async (req, res) => {
      const gate = await this.gate(req, res);
      if (!gate) return;
      try {
        await act(req, res, gate);
      } catch (err) {
        await this.flow.upstream(req, res, err, page);
      }
    };
    return Router().get(`/${page}`, get).post(`/${page}`, post);
  }

  private async alreadyEnrolled(req: Request, res: Response): Promise<null> {
    flash(req, 'error', messageFor('mfa_already_enrolled'));
    await saveSession(req);
    res.redirect(303, this.flow.url(req, 'verify'));
    return null;
  }
}
