// The `admin` config section: the admin pages under `<mount>/admin/` are off unless enabled; who may use them; how
// recent a password or code must be for destructive actions; and where the user page finds recent logins.
import { z } from 'zod';
import type { PublicUser } from '../events.ts';
import type { RecentLogins } from '../users/admin-api.ts';

/** Who may use the admin pages (default: staff and superusers). It sees the fully logged-in user. */
export type AdminAllow = (user: PublicUser) => boolean | Promise<boolean>;

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected a function ${what}` });

export const adminConfigSchema = z
  .object({
    /** Mount the admin pages at `<mount>/admin/`. */
    enabled: z.boolean().default(false),
    allow: fn<AdminAllow>('(user) => boolean').optional(),
    /** How long a password (or a code, or a login) counts as recent for destructive actions. */
    reauthSeconds: z.number().int().min(60).max(3600).default(600),
    recentLogins: fn<RecentLogins>('(user) => recent logins').optional(),
  })
  .strict()
  .prefault({});

export type AdminConfig = z.output<typeof adminConfigSchema>;
