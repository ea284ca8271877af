// The MFA login method (password + WorkOS TOTP or SMS, with recovery codes): routes under the mount
// point (enroll/, enroll-totp/, enroll-sms/, verify/, recovery-codes/) and the `mfa` handler.
import { Router } from 'express';
import type { Context, MethodModule } from '../context.ts';
import { enrollRoutes } from './enroll-routes.ts';
import { MfaFlow } from './flow.ts';
import { mfaHandler } from './handler.ts';
import { resetMfa, type MfaResetResult } from './reset.ts';
import { verifyRoutes } from './verify-routes.ts';

export type { MfaResetResult } from './reset.ts';

export interface MfaModule extends MethodModule {
  resetMfa(userId: number): Promise<MfaResetResult | null>;
}

export function mfaModule(ctx: Context): MfaModule {
  const flow = new MfaFlow(ctx);
  const routes = Router();
  routes.use(['/enroll', '/enroll-totp', '/enroll-sms', '/verify', '/recovery-codes'], (_req, res, next) => {
    // These pages show secrets (QR code, TOTP secret, recovery codes): never cached, never framed.
    res.set('Cache-Control', 'no-store');
    next();
  });
  routes.use(verifyRoutes(flow), enrollRoutes(flow));
  return {
    routes,
    handlers: { mfa: mfaHandler(flow) },
    resetMfa: (userId: number) => resetMfa(ctx, flow.store, flow.api, userId),
  };
}
