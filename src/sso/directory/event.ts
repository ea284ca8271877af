// The Directory Sync events the webhook acts on, read from the verified payload with WorkOS's documented (snake_case)
// fields: `dsync.user.created/updated/deleted` carry a Directory User, `dsync.group.user_added/removed` a Directory
// User and a Directory Group. Anything else is an event the library ignores; a payload it cannot read is refused.
import { z } from 'zod';
import type { JitProfile } from '../../core/jit.ts';

export interface DirectoryUser {
  /** `directory_user_…` */
  id: string;
  organizationId: string | null;
  idpId: string;
  /** The primary email ('' when the provider sent none). */
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** `active`, `inactive` (suspended), or what a newer API sends. */
  state: string;
  rawAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  role: { slug: string } | null;
  roles: { slug: string }[];
}

export type DirectoryEvent =
  | { kind: 'user'; id: string; event: 'dsync.user.created' | 'dsync.user.updated' | 'dsync.user.deleted'; user: DirectoryUser }
  | { kind: 'group'; id: string; event: 'dsync.group.user_added' | 'dsync.group.user_removed'; user: DirectoryUser; group: { name: string; organizationId: string | null } }
  | { kind: 'other'; id: string; event: string };

const attributes = z.record(z.string(), z.unknown()).nullable().optional().catch(undefined);
const slug = z.object({ slug: z.string() });
const text = z.string().nullable().optional().catch(undefined);

const directoryUser = z
  .object({
    id: z.string().min(1).max(200),
    organization_id: z.string().max(200).nullable().optional(),
    idp_id: z.string().max(500).default(''),
    email: text,
    emails: z.array(z.object({ value: z.string().optional(), primary: z.boolean().optional() }).catch({})).optional().catch(undefined),
    first_name: text,
    last_name: text,
    state: z.string().max(50).default('active'),
    raw_attributes: attributes,
    custom_attributes: attributes,
    role: slug.nullable().optional().catch(undefined),
    roles: z.array(slug).optional().catch(undefined),
  })
  .transform(
    (u): DirectoryUser => ({
      id: u.id,
      organizationId: u.organization_id ?? null,
      idpId: u.idp_id,
      email: (u.email ?? u.emails?.find((e) => e.primary)?.value ?? u.emails?.[0]?.value ?? '').trim(),
      firstName: u.first_name ?? null,
      lastName: u.last_name ?? null,
      state: u.state,
      rawAttributes: { ...u.raw_attributes },
      customAttributes: { ...u.custom_attributes },
      role: u.role ?? null,
      roles: u.roles ?? [],
    }),
  );

const group = z.object({ name: z.string().min(1).max(500), organization_id: z.string().max(200).nullable().optional() });

const envelope = z.object({ id: z.string().min(1).max(200), event: z.string().min(1).max(200), data: z.unknown() });

/** The event in `payload`, or null when it is not an event or a `dsync.*` payload the library cannot read. */
export function parseEvent(payload: unknown): DirectoryEvent | null {
  const e = envelope.safeParse(payload);
  if (!e.success) return null;
  const { id, event, data } = e.data;
  if (event === 'dsync.user.created' || event === 'dsync.user.updated' || event === 'dsync.user.deleted') {
    const user = directoryUser.safeParse(data);
    return user.success ? { kind: 'user', id, event, user: user.data } : null;
  }
  if (event === 'dsync.group.user_added' || event === 'dsync.group.user_removed') {
    const parsed = z.object({ user: directoryUser, group }).safeParse(data);
    if (!parsed.success) return null;
    return { kind: 'group', id, event, user: parsed.data.user, group: { name: parsed.data.group.name, organizationId: parsed.data.group.organization_id ?? null } };
  }
  return { kind: 'other', id, event };
}

/**
 * The directory user as a WorkOS profile, for saved-attribute templates (the same `profile.…` names as at an SSO
 * login): `id` is the directory user id and `connection_type` is `DirectorySync`.
 */
export function directoryProfile(user: DirectoryUser, organizationId: string): JitProfile {
  return {
    id: user.id,
    idp_id: user.idpId,
    organization_id: organizationId,
    connection_id: '',
    connection_type: 'DirectorySync',
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    raw_attributes: user.rawAttributes,
    custom_attributes: user.customAttributes,
    groups: [],
    role: user.role,
    roles: user.roles,
  };
}
