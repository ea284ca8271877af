// The `magicLink` config section (methods `magic` and `email_mfa`): who makes the link, how long it lives, how
// often it may be sent, and who delivers it.
import { z } from 'zod';
import { limitSchema } from '../core/limit.ts';

export const magicLinkConfigSchema = z
  .object({
    /**
     * `workos-magic-auth`: a six-digit WorkOS Magic Auth code, typed on our page (WorkOS emails it unless
     * `sendCustomEmail`). `workos`: a WorkOS passwordless session link (deprecated at WorkOS; WorkOS emails it unless
     * `sendCustomEmail`). `local`: the library's own single-use link, delivered by your `sendMagicLink` listener.
     * Default: `workos` when the WorkOS keys are set, otherwise `local`.
     */
    provider: z.enum(['workos', 'workos-magic-auth', 'local']).optional(),
    /** How long a link may be used, at most 10 minutes (a WorkOS link is cut to this by the session-bound state). */
    ttlSeconds: z.number().int().min(60).max(600).default(600),
    /** Sends per recipient (the user's email, or the typed name for unknown users). */
    sendsPerEmail: limitSchema.default({ points: 5, durationSeconds: 900 }),
    /** Sends per client IP. */
    sendsPerIp: limitSchema.default({ points: 30, durationSeconds: 900 }),
    /** Wrong codes allowed per sent code (`workos-magic-auth`); then the person asks for a new one. */
    codeAttempts: z.number().int().min(1).max(20).default(5),
    /** With the WorkOS providers: your `sendMagicLink` listener sends the email instead of WorkOS. */
    sendCustomEmail: z.boolean().default(false),
    /** Where links land, when not `<baseUrl><mount>/callback/magic/`. */
    callbackUrl: z.string().url().optional(),
  })
  .strict()
  .prefault({});

export type MagicLinkConfig = Omit<z.output<typeof magicLinkConfigSchema>, 'provider'> & {
  /** Always set once resolved. */
  provider: MagicLinkProviderName;
};

export type MagicLinkProviderName = 'workos' | 'workos-magic-auth' | 'local';
