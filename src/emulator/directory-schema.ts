// The directory's input shape (what a JSON file or object may say) and its normalised form. Schemas are
// strict so a misspelt key is reported instead of silently ignored.
import { z } from 'zod';
import { EmulatorConfigError, formatIssues } from './errors.ts';
import { stableId } from './ids.ts';
import { isValidRedirectUriPattern } from './redirect-uris.ts';

export const CONNECTION_TYPES = [
  'GenericSAML',
  'GenericOIDC',
  'OktaSAML',
  'AzureSAML',
  'GoogleSAML',
  'ADFSSAML',
  'GoogleOAuth',
  'MicrosoftOAuth',
  'GitHubOAuth',
  'AppleOAuth',
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export interface DirectoryUserInput {
  /** The user's id at the identity provider; derived from the email when left out. */
  idpId?: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  /** Role slug; defaults to the first of `roles`, else `member`. */
  role?: string;
  roles?: string[];
  groups?: string[];
  rawAttributes?: Record<string, unknown>;
  customAttributes?: Record<string, unknown>;
}

export interface DirectoryUser {
  readonly idpId: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly role: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly rawAttributes: Readonly<Record<string, unknown>>;
  readonly customAttributes: Readonly<Record<string, unknown>>;
}

export interface ConnectionInput {
  id: string;
  type: ConnectionType;
  name: string;
  organizationId?: string;
  users?: DirectoryUserInput[];
}

export interface Connection {
  readonly id: string;
  readonly type: ConnectionType;
  readonly name: string;
  readonly organizationId: string | null;
  readonly users: readonly DirectoryUser[];
}

export interface OrganizationInput {
  id: string;
  name: string;
  domains?: string[];
}

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly domains: readonly string[];
}

export interface ClientInput {
  clientId: string;
  /** The API key, which is also the client secret at `/sso/token`. */
  apiKey: string;
  /** Allow-listed redirect URIs; the first one without `*` is the default. */
  redirectUris: string[];
}

export interface Client {
  readonly clientId: string;
  readonly apiKey: string;
  readonly redirectUris: readonly string[];
}

/** A member of a Directory Sync directory (SCIM or Google Workspace at WorkOS). */
export interface DirectorySyncUserInput {
  /** The user's id at the directory provider; derived from the email when left out. */
  idpId?: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  /** `active` (default) or `inactive` (suspended at the provider). */
  state?: 'active' | 'inactive';
  /** Names of the directory's groups the user belongs to. */
  groups?: string[];
  /** Role slug; `member` when left out. */
  role?: string;
  rawAttributes?: Record<string, unknown>;
  customAttributes?: Record<string, unknown>;
}

export interface DirectoryGroupInput {
  name: string;
  /** The group's id at the directory provider; derived from the name when left out. */
  idpId?: string;
}

/** A Directory Sync directory of one organization, with its users and groups. */
export interface DirectorySyncInput {
  id: string;
  organizationId: string;
  name: string;
  /** WorkOS's directory type, e.g. `okta scim v2.0` (default `generic scim v2.0`). */
  type?: string;
  groups?: DirectoryGroupInput[];
  users?: DirectorySyncUserInput[];
}

/** Where the emulator delivers signed webhook events (the dashboard's webhook endpoints). */
export interface WebhookEndpointInput {
  url: string;
  /** The endpoint's signing secret, as the app's `webhookSecret`. */
  secret: string;
}

export interface DirectoryInput {
  clients?: ClientInput[];
  organizations?: OrganizationInput[];
  connections?: ConnectionInput[];
  directories?: DirectorySyncInput[];
  webhooks?: WebhookEndpointInput[];
}

const attributes = z.record(z.string(), z.unknown());

export const userSchema = z.strictObject({
  idpId: z.string().min(1).optional(),
  email: z.email(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  role: z.string().min(1).optional(),
  roles: z.array(z.string().min(1)).optional(),
  groups: z.array(z.string()).optional(),
  rawAttributes: attributes.optional(),
  customAttributes: attributes.optional(),
});

export const organizationSchema = z.strictObject({
  id: z.string().startsWith('org_', { error: 'must start with "org_"' }),
  name: z.string().min(1),
  domains: z.array(z.string().min(1)).default([]),
});

export const connectionSchema = z.strictObject({
  id: z.string().startsWith('conn_', { error: 'must start with "conn_"' }),
  type: z.enum(CONNECTION_TYPES),
  name: z.string().min(1),
  organizationId: z.string().min(1).optional(),
  users: z.array(userSchema).default([]),
});

export const clientSchema = z.strictObject({
  clientId: z.string().min(1),
  apiKey: z.string().min(1),
  redirectUris: z.array(
    z.string().refine(isValidRedirectUriPattern, { error: 'must be an http(s) URL (a `*` may stand for a port or a path)' }),
  ),
});

export const directorySyncUserSchema = z.strictObject({
  idpId: z.string().min(1).optional(),
  email: z.email(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  state: z.enum(['active', 'inactive']).optional(),
  groups: z.array(z.string().min(1)).optional(),
  role: z.string().min(1).optional(),
  rawAttributes: attributes.optional(),
  customAttributes: attributes.optional(),
});

export const directoryGroupSchema = z.strictObject({
  name: z.string().min(1),
  idpId: z.string().min(1).optional(),
});

export const directorySyncSchema = z.strictObject({
  id: z.string().startsWith('directory_', { error: 'must start with "directory_"' }),
  organizationId: z.string().startsWith('org_', { error: 'must start with "org_"' }),
  name: z.string().min(1),
  type: z.string().min(1).default('generic scim v2.0'),
  groups: z.array(directoryGroupSchema).default([]),
  users: z.array(directorySyncUserSchema).default([]),
});

export const webhookEndpointSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  secret: z.string().min(1),
});

export const directorySchema = z.strictObject({
  clients: z.array(clientSchema).default([]),
  organizations: z.array(organizationSchema).default([]),
  connections: z.array(connectionSchema).default([]),
  directories: z.array(directorySyncSchema).default([]),
  webhooks: z.array(webhookEndpointSchema).default([]),
});

export type ParsedDirectory = z.output<typeof directorySchema>;

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string, root: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new EmulatorConfigError(`Invalid ${what}:`, formatIssues(result.error, root));
  return result.data;
}

export function normaliseUser(input: z.output<typeof userSchema>): DirectoryUser {
  const roles = input.roles ?? [input.role ?? 'member'];
  return Object.freeze({
    idpId: input.idpId ?? stableId('idp', input.email.toLowerCase()),
    email: input.email,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    role: input.role ?? roles[0] ?? 'member',
    roles: Object.freeze([...roles]),
    groups: Object.freeze([...(input.groups ?? [])]),
    rawAttributes: Object.freeze({ ...input.rawAttributes }),
    customAttributes: Object.freeze({ ...input.customAttributes }),
  });
}
