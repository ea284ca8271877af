// The `mfa` login method (password + WorkOS TOTP or SMS, with recovery codes): its pages under the mount point
// (enroll/, enroll-totp/, enroll-sms/, verify/, recovery-codes/, and mfa/ where a logged-in user manages their
// factor) and the second step that sends a login there.
import { Router } from 'express';
import { defineMethod, type MethodRuntime } from '../contract.ts';
import type { Context } from '../context.ts';
import { mfaConfigSchema } from './config.ts';
import { enrollRoutes } from './enroll-routes.ts';
import { MfaFlow } from './flow.ts';
import { mfaHandler } from './handler.ts';
import { MFA_FAIL_REASONS, MFA_MESSAGES } from './messages.ts';
import { resetMfa, type MfaResetResult } from './reset.ts';
import { manageRoutes } from './manage-routes.ts';
import { MFA_RULES } from './rule.ts';
import { verifyRoutes } from './verify-routes.ts';
import type { UserId } from '../user-types.ts';

export type { MfaResetResult } from './reset.ts';

export interface MfaRuntime extends MethodRuntime {
  resetMfa(userId: UserId): Promise<MfaResetResult | null>;
}

export const mfaMethod = defineMethod('mfa', MFA_RULES, { messages: MFA_MESSAGES, failReasons: MFA_FAIL_REASONS, config: { key: 'mfa', schema: mfaConfigSchema } }, (ctx: Context): MfaRuntime => {
  const flow = new MfaFlow(ctx);
  const routes = Router();
  routes.use(['/enroll', '/enroll-totp', '/enroll-sms', '/verify', '/recovery-codes', '/mfa'], (_req, res, next) => {
    // These pages show secrets (QR code, TOTP secret, recovery codes): never cached, never framed.
    res.set('Cache-Control', 'no-store');
    next();
  });
  routes.use(verifyRoutes(flow), enrollRoutes(flow), manageRoutes(flow));
  return { routes, ...mfaHandler(flow), resetMfa: (userId: UserId) => resetMfa(ctx, flow.store, flow.api, userId) };
});
