// The `sso` config section (methods sso, GoogleOAuth, MicrosoftOAuth): state lifetime, the callback URL, JIT, and the
// Directory Sync webhook.
import { z } from 'zod';
import { limitSchema } from '../core/limit.ts';

export const ssoConfigSchema = z
  .object({
    /** How long a started SSO login may take until the callback (the `state` expires then). */
    stateTtlSeconds: z.number().int().min(60).max(3600).default(600),
    /** Where WorkOS sends the browser back, when not `<baseUrl><mount>/callback/sso/`. */
    callbackUrl: z.string().url().optional(),
    /** Re-apply the rule's saved attributes from the profile at every SSO login. */
    autoUpdate: z.boolean().default(true),
    /** The username of a user created just in time: their email, their IdP id, or the WorkOS profile id. */
    jitUsername: z.enum(['email', 'idp_id', 'id']).default('email'),
    /**
     * The signing secret of your WorkOS webhook endpoint: turns on `POST <mount>/webhooks/workos/` (Directory Sync
     * deprovisioning, pre-provisioning and group sync). Unset: no webhook route.
     */
    webhookSecret: z.string().min(1).optional(),
    /** How old a webhook's signature may be, in seconds (the SDK's default is 180). */
    webhookToleranceSeconds: z.number().int().min(30).max(3600).default(180),
    /** SSO callbacks per client IP (each one costs a WorkOS call), then a 429 page until the block ends. */
    callbackLimit: limitSchema.default({ points: 30, durationSeconds: 60, blockSeconds: 60 }),
  })
  .strict()
  .prefault({});

export type SsoConfig = z.output<typeof ssoConfigSchema>;
