// AuthKit users and Magic Auth (`/user_management/*`): the users the SDK creates, lists and reads, six-digit
// one-time codes that are "emailed" to the outbox, and the magic-auth grant of `/user_management/authenticate`
// with WorkOS's error codes for a wrong, used or expired code.
import { randomInt } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isoAt } from './clock.ts';
import type { EmulatorContext } from './context.ts';
import { HttpError } from './errors.ts';
import { authorisedClient, notFoundBody, parseInput, sendJson } from './http.ts';
import { prefixedId, secretToken } from './ids.ts';

/** "The code expires in 10 minutes" (WorkOS API reference, Magic Auth). */
export const MAGIC_AUTH_TTL_MS = 10 * 60_000;
export const MAGIC_AUTH_GRANT = 'urn:workos:oauth:grant-type:magic-auth:code';

interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  externalId: string | null;
  metadata: Record<string, string>;
  lastSignInAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface MagicAuth {
  id: string;
  userId: string;
  email: string;
  code: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

const createUserBody = z.object({
  email: z.email(),
  password: z.string().optional(),
  password_hash: z.string().optional(),
  password_hash_type: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email_verified: z.boolean().optional(),
  external_id: z.string().max(128).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

const listUsersQuery = z.object({
  email: z.string().optional(),
  organization_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  order: z.enum(['asc', 'desc']).default('desc'),
  before: z.string().optional(),
  after: z.string().optional(),
});

const createMagicAuthBody = z.object({ email: z.email(), invitation_token: z.string().optional() });

const authenticateBody = z.object({
  grant_type: z.string({ error: 'is required' }),
  client_id: z.string({ error: 'is required' }),
  client_secret: z.string().optional(),
});
const magicAuthGrant = z.object({ code: z.string({ error: 'is required' }), email: z.email() });

function userJson(user: User): Record<string, unknown> {
  return {
    object: 'user',
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    first_name: user.firstName,
    last_name: user.lastName,
    profile_picture_url: null,
    last_sign_in_at: user.lastSignInAt === null ? null : isoAt(user.lastSignInAt),
    locale: null,
    external_id: user.externalId,
    metadata: { ...user.metadata },
    created_at: isoAt(user.createdAt),
    updated_at: isoAt(user.updatedAt),
  };
}

function magicAuthJson(m: MagicAuth): Record<string, unknown> {
  return { object: 'magic_auth', id: m.id, user_id: m.userId, email: m.email, expires_at: isoAt(m.expiresAt), code: m.code, created_at: isoAt(m.createdAt), updated_at: isoAt(m.createdAt) };
}

/** An access token shaped like WorkOS's (a JWT); its signature is random: nothing should verify it offline. */
function accessToken(user: User, now: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const seconds = Math.floor(now / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: 'workos-emulator', sub: user.id, sid: prefixedId('session', now), iat: seconds, exp: seconds + 300 })}.${secretToken(32)}`;
}

const oneTimeCodeError = (code: 'invalid_one_time_code' | 'one_time_code_previously_used' | 'one_time_code_expired', message: string) => new HttpError(400, { code, message });

export function userManagementRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const users = new Map<string, User>();
  const magicAuths = new Map<string, MagicAuth>();

  const byEmail = (email: string) => [...users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
  const newUser = (email: string, fields: Partial<Pick<User, 'firstName' | 'lastName' | 'emailVerified' | 'externalId' | 'metadata'>> = {}): User => {
    const now = ctx.clock.now();
    const user: User = { id: prefixedId('user', now), email, emailVerified: false, firstName: null, lastName: null, externalId: null, metadata: {}, lastSignInAt: null, createdAt: now, updatedAt: now, ...fields };
    users.set(user.id, user);
    return user;
  };

  router.post('/user_management/users', (req: Request, res: Response) => {
    const body = parseInput(createUserBody, req.body);
    if (byEmail(body.email)) {
      throw new HttpError(400, { message: 'Could not create user.', code: 'user_creation_error', errors: [{ code: 'email_not_available', message: 'This email is not available.' }] });
    }
    const user = newUser(body.email, {
      firstName: body.first_name ?? null,
      lastName: body.last_name ?? null,
      emailVerified: body.email_verified ?? false,
      externalId: body.external_id ?? null,
      metadata: body.metadata ?? {},
    });
    sendJson(res, 201, userJson(user));
  });

  router.get('/user_management/users', (req: Request, res: Response) => {
    const q = parseInput(listUsersQuery, req.query);
    // The emulator has no organization memberships: a filter by organization finds nobody.
    let list = q.organization_id ? [] : [...users.values()].filter((u) => !q.email || u.email.toLowerCase() === q.email.toLowerCase());
    list.sort((a, b) => (q.order === 'asc' ? 1 : -1) * (a.createdAt - b.createdAt || a.id.localeCompare(b.id)));
    if (q.after) list = list.slice(list.findIndex((u) => u.id === q.after) + 1);
    if (q.before) list = list.slice(0, Math.max(0, list.findIndex((u) => u.id === q.before)));
    const page = list.slice(0, q.limit);
    const more = list.length > page.length;
    sendJson(res, 200, { object: 'list', data: page.map(userJson), list_metadata: { before: q.after && page[0] ? page[0].id : null, after: more ? page.at(-1)!.id : null } });
  });

  router.get('/user_management/users/:id', (req: Request, res: Response) => {
    const id = String(req.params.id);
    const user = users.get(id);
    if (!user) throw new HttpError(404, notFoundBody(`User not found: '${id}'.`));
    sendJson(res, 200, userJson(user));
  });

  router.post('/user_management/magic_auth', (req: Request, res: Response) => {
    const body = parseInput(createMagicAuthBody, req.body);
    // Magic Auth signs people up too: WorkOS creates the user when the code is created (the answer has its id).
    const user = byEmail(body.email) ?? newUser(body.email);
    const now = ctx.clock.now();
    const magicAuth: MagicAuth = {
      id: prefixedId('magic_auth', now),
      userId: user.id,
      email: user.email,
      code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      createdAt: now,
      expiresAt: now + MAGIC_AUTH_TTL_MS,
      usedAt: null,
    };
    magicAuths.set(magicAuth.id, magicAuth);
    ctx.outbox.record({
      kind: 'email',
      to: user.email,
      body: `Your sign-in code\n\nEnter this code to sign in: ${magicAuth.code}\n\nIt expires at ${isoAt(magicAuth.expiresAt)} and works once.`,
      code: magicAuth.code,
    });
    sendJson(res, 201, magicAuthJson(magicAuth));
  });

  router.get('/user_management/magic_auth/:id', (req: Request, res: Response) => {
    const id = String(req.params.id);
    const magicAuth = magicAuths.get(id);
    if (!magicAuth) throw new HttpError(404, notFoundBody(`Magic Auth not found: '${id}'.`));
    sendJson(res, 200, magicAuthJson(magicAuth));
  });

  router.post('/user_management/authenticate', (req: Request, res: Response) => {
    const body = parseInput(authenticateBody, req.body);
    const client = authorisedClient(res);
    if (body.client_id !== client.clientId || body.client_secret !== client.apiKey) {
      throw new HttpError(400, { error: 'invalid_client', error_description: 'Invalid client ID or secret.' });
    }
    if (body.grant_type !== MAGIC_AUTH_GRANT) {
      throw new HttpError(400, { error: 'unsupported_grant_type', error_description: `The emulator supports the grant_type '${MAGIC_AUTH_GRANT}' here.` });
    }
    const { code, email } = parseInput(magicAuthGrant, req.body);
    const now = ctx.clock.now();
    // The newest code of this address with these digits decides; a code of another address never matches.
    const magicAuth = [...magicAuths.values()].reverse().find((m) => m.email.toLowerCase() === email.toLowerCase() && m.code === code);
    const user = magicAuth && users.get(magicAuth.userId);
    if (!magicAuth || !user) throw oneTimeCodeError('invalid_one_time_code', 'The code is invalid.');
    if (magicAuth.usedAt !== null) throw oneTimeCodeError('one_time_code_previously_used', 'The code has already been used.');
    if (magicAuth.expiresAt <= now) throw oneTimeCodeError('one_time_code_expired', 'The code has expired.');
    magicAuth.usedAt = now;
    user.emailVerified = true;
    user.lastSignInAt = now;
    user.updatedAt = now;
    sendJson(res, 200, { user: userJson(user), access_token: accessToken(user, now), refresh_token: secretToken(24), authentication_method: 'MagicAuth' });
  });

  return router;
}
