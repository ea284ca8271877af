// The WorkOS profile as the rest of the library sees it (snake_case, as WorkOS documents it and templates use it),
// the scope its identity lives in, and whether it is a profile the rule dispatched to.
import type { JitProfile } from '../core/jit.ts';
import type { LoginRule } from '../core/rules.ts';

/** What `sso.getProfileAndToken` returns as `profile` (SDK 8, camelCase). */
export interface SdkProfile {
  id: string;
  idpId: string;
  organizationId?: string | null;
  connectionId: string;
  connectionType: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  role?: { slug: string } | null;
  roles?: { slug: string }[] | null;
  groups?: string[] | null;
  customAttributes?: Record<string, unknown> | null;
  rawAttributes?: Record<string, unknown> | null;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const optionalText = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {});

export function toJitProfile(p: SdkProfile): JitProfile {
  return {
    id: text(p.id),
    idp_id: text(p.idpId),
    organization_id: optionalText(p.organizationId) || null,
    connection_id: text(p.connectionId),
    connection_type: text(p.connectionType),
    email: text(p.email).trim(),
    first_name: optionalText(p.firstName),
    last_name: optionalText(p.lastName),
    raw_attributes: record(p.rawAttributes),
    custom_attributes: record(p.customAttributes),
    groups: Array.isArray(p.groups) ? p.groups.filter((g): g is string => typeof g === 'string') : [],
    role: p.role && typeof p.role.slug === 'string' ? { slug: p.role.slug } : null,
    roles: Array.isArray(p.roles) ? p.roles.filter((r) => r && typeof r.slug === 'string').map((r) => ({ slug: r.slug })) : [],
  };
}

/** Identities never cross tenants: an organization's profiles share one scope, else the connection is the scope. */
export function scopeOf(profile: JitProfile): string {
  return profile.organization_id ? `org:${profile.organization_id}` : `conn:${profile.connection_id}`;
}

/**
 * Is this a profile the rule sends people to? Its organization or connection must be the rule's; OAuth rules
 * (GoogleOAuth, MicrosoftOAuth) also need a connection of that type, which is all they check without ids.
 */
export function matchesRule(rule: LoginRule, profile: JitProfile): boolean {
  // A magic-link code carries an organization too (by email domain); it proves a mailbox, not an SSO login.
  if (profile.connection_type === 'MagicLink') return false;
  if (rule.method === 'GoogleOAuth' || rule.method === 'MicrosoftOAuth') {
    if (profile.connection_type !== rule.method) return false;
  } else if (rule.method !== 'sso') {
    return false;
  }
  if (rule.organizationId) return profile.organization_id === rule.organizationId;
  if (rule.connectionId) return profile.connection_id === rule.connectionId;
  return rule.method !== 'sso';
}

export const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase() && a.trim() !== '';
