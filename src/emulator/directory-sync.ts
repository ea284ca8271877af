// Directory Sync events: a change at the directory provider (a user created, updated, suspended or deleted, a group
// membership added or removed) is applied to the emulator's directory and delivered, signed, to every webhook
// endpoint, with the payloads WorkOS documents for `dsync.user.*` and `dsync.group.user_*`. Triggered from code
// (`emulator.directorySync.send`), over HTTP (`POST /_emulator/directory/events`) or from the directory page.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isoAt, type EmulatorClock } from './clock.ts';
import type { EmulatorContext } from './context.ts';
import { directorySyncUserSchema, type DirectorySyncUserInput } from './directory-schema.ts';
import { EmulatorDirectory } from './directory.ts';
import type { DirectoryStore, DirectoryUserChanges, SyncDirectory, SyncDirectoryGroup, SyncDirectoryUser } from './directories.ts';
import { EmulatorConfigError, HttpError } from './errors.ts';
import { parseInput, sendJson } from './http.ts';
import { prefixedId } from './ids.ts';
import { directoryPage } from './pages.ts';
import type { SignatureOptions, WebhookDelivery, WebhookEvent, Webhooks } from './webhooks.ts';

export const DIRECTORY_EVENTS = ['dsync.user.created', 'dsync.user.updated', 'dsync.user.deleted', 'dsync.group.user_added', 'dsync.group.user_removed'] as const;
export type DirectoryEventName = (typeof DIRECTORY_EVENTS)[number];

/** A change at the directory provider. `user` names a member by email, IdP id or directory user id. */
export type DirectoryEventInput = (
  | { event: 'dsync.user.created'; directoryId: string; user: DirectorySyncUserInput }
  | { event: 'dsync.user.updated'; directoryId: string; user: string; changes: DirectoryUserChanges }
  | { event: 'dsync.user.deleted'; directoryId: string; user: string }
  | { event: 'dsync.group.user_added' | 'dsync.group.user_removed'; directoryId: string; user: string; group: string }
) & {
  /** Sign with another time or secret (to test an app's refusals). */
  signature?: SignatureOptions;
  /** Deliver only to this endpoint URL. */
  url?: string;
};

export interface SentDirectoryEvent {
  event: WebhookEvent;
  deliveries: WebhookDelivery[];
}

const changesSchema = z.strictObject({
  email: z.email().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  state: z.enum(['active', 'inactive']).optional(),
  role: z.string().min(1).optional(),
  rawAttributes: z.record(z.string(), z.unknown()).optional(),
  customAttributes: z.record(z.string(), z.unknown()).optional(),
});
const common = {
  directoryId: z.string().min(1),
  signature: z.strictObject({ timestamp: z.number().int().optional(), secret: z.string().min(1).optional() }).optional(),
  url: z.string().optional(),
};
const member = z.string().min(1);
export const directoryEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('dsync.user.created'), user: directorySyncUserSchema, ...common }),
  z.strictObject({ event: z.literal('dsync.user.updated'), user: member, changes: changesSchema, ...common }),
  z.strictObject({ event: z.literal('dsync.user.deleted'), user: member, ...common }),
  z.strictObject({ event: z.enum(['dsync.group.user_added', 'dsync.group.user_removed']), user: member, group: z.string().min(1), ...common }),
]);

/** The Directory User object as WorkOS sends it. */
export function directoryUserJson(directory: SyncDirectory, user: SyncDirectoryUser): Record<string, unknown> {
  return {
    object: 'directory_user',
    id: user.id,
    directory_id: directory.id,
    organization_id: directory.organizationId,
    idp_id: user.idpId,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    emails: [{ primary: true, type: 'work', value: user.email }],
    username: user.email,
    state: user.state,
    role: { slug: user.role },
    raw_attributes: { ...user.rawAttributes },
    custom_attributes: { ...user.customAttributes },
    created_at: isoAt(user.createdAt),
    updated_at: isoAt(user.updatedAt),
  };
}

export function directoryGroupJson(directory: SyncDirectory, group: SyncDirectoryGroup): Record<string, unknown> {
  return {
    object: 'directory_group',
    id: group.id,
    idp_id: group.idpId,
    directory_id: directory.id,
    organization_id: directory.organizationId,
    name: group.name,
    raw_attributes: {},
    created_at: isoAt(group.createdAt),
    updated_at: isoAt(group.createdAt),
  };
}

/** `previous_attributes` of a `dsync.user.updated`: the old value of every changed field, snake_case. */
function previousAttributes(before: SyncDirectoryUser, after: SyncDirectoryUser): Record<string, unknown> {
  const fields: [keyof SyncDirectoryUser, string][] = [
    ['email', 'email'],
    ['firstName', 'first_name'],
    ['lastName', 'last_name'],
    ['state', 'state'],
  ];
  const out: Record<string, unknown> = {};
  for (const [key, wire] of fields) if (before[key] !== after[key]) out[wire] = before[key];
  if (before.role !== after.role) out.role = { slug: before.role };
  if (JSON.stringify(before.rawAttributes) !== JSON.stringify(after.rawAttributes)) out.raw_attributes = { ...before.rawAttributes };
  if (JSON.stringify(before.customAttributes) !== JSON.stringify(after.customAttributes)) out.custom_attributes = { ...before.customAttributes };
  return out;
}

export class DirectorySync {
  readonly #store: DirectoryStore;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly directory: EmulatorDirectory,
    private readonly webhooks: Webhooks,
  ) {
    this.#store = EmulatorDirectory.directoryStoreOf(directory);
  }

  /** Applies the change to the directory and delivers the event to the webhook endpoints. */
  async send(input: DirectoryEventInput): Promise<SentDirectoryEvent> {
    const parsed = directoryEventSchema.safeParse(input);
    if (!parsed.success) throw new EmulatorConfigError('Invalid directory event:', parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`));
    const event = this.#apply(parsed.data);
    const deliveries = await this.webhooks.deliver(event, { ...parsed.data.signature, url: parsed.data.url });
    return { event, deliveries };
  }

  #apply(input: z.output<typeof directoryEventSchema>): WebhookEvent {
    const directory = this.directory.syncDirectory(input.directoryId);
    if (!directory) throw new EmulatorConfigError(`directoryId: unknown directory '${input.directoryId}'`);
    let data: Record<string, unknown>;
    switch (input.event) {
      case 'dsync.user.created':
        data = directoryUserJson(directory, this.#store.addUser(directory.id, input.user));
        break;
      case 'dsync.user.updated': {
        const { before, after } = this.#store.updateUser(directory.id, input.user, input.changes);
        data = { ...directoryUserJson(directory, after), previous_attributes: previousAttributes(before, after) };
        break;
      }
      case 'dsync.user.deleted':
        data = directoryUserJson(directory, this.#store.removeUser(directory.id, input.user));
        break;
      default: {
        const { user, group } = this.#store.setMembership(directory.id, input.user, input.group, input.event === 'dsync.group.user_added');
        data = { directory_id: directory.id, user: directoryUserJson(directory, user), group: directoryGroupJson(directory, group) };
      }
    }
    const now = this.clock.now();
    return Object.freeze({ id: prefixedId('event', now), event: input.event, data, created_at: isoAt(now) });
  }
}

/** The directory page's forms post flat fields; this turns them into an event. */
const formSchema = z.object({
  event: z.enum(DIRECTORY_EVENTS),
  directoryId: z.string().min(1),
  user: z.string().optional(),
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  state: z.enum(['active', 'inactive']).optional(),
  group: z.string().optional(),
});

function fromForm(body: unknown): DirectoryEventInput {
  const f = parseInput(formSchema, body);
  switch (f.event) {
    case 'dsync.user.created':
      return { event: f.event, directoryId: f.directoryId, user: { email: f.email ?? '', firstName: f.firstName || null, lastName: f.lastName || null } };
    case 'dsync.user.updated':
      return { event: f.event, directoryId: f.directoryId, user: f.user ?? '', changes: f.state ? { state: f.state } : {} };
    case 'dsync.user.deleted':
      return { event: f.event, directoryId: f.directoryId, user: f.user ?? '' };
    default:
      return { event: f.event, directoryId: f.directoryId, user: f.user ?? '', group: f.group ?? '' };
  }
}

export function directorySyncRoutes(ctx: EmulatorContext, sync: DirectorySync, webhooks: Webhooks): Router {
  const router = Router();
  const page = (req: Request, res: Response, sent?: SentDirectoryEvent, error?: string) =>
    res
      .status(error ? 400 : 200)
      .type('html')
      .send(directoryPage(ctx.directory.directories(), webhooks.endpoints(), webhooks.deliveries().reverse().slice(0, 20), sent, error));

  router.get('/_emulator/directory', (req: Request, res: Response) => {
    if (req.accepts(['json', 'html']) === 'html') return page(req, res);
    sendJson(res, 200, { data: ctx.directory.directories().map((d) => ({ ...d, users: d.users.map((u) => directoryUserJson(d, u)), groups: d.groups.map((g) => directoryGroupJson(d, g)) })) });
  });

  router.post('/_emulator/directory/events', async (req: Request, res: Response) => {
    // The page's forms arrive form-encoded and get a page back; code sends JSON and gets JSON.
    const fromPage = req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
    try {
      const sent = await sync.send(fromPage ? fromForm(req.body) : (req.body as DirectoryEventInput));
      if (fromPage) return page(req, res, sent);
      sendJson(res, 201, sent);
    } catch (error) {
      const message = error instanceof EmulatorConfigError || error instanceof HttpError ? error.message : null;
      if (message === null) throw error;
      if (fromPage) return page(req, res, undefined, message);
      throw new HttpError(400, { code: 'invalid_request_parameters', message });
    }
  });

  router.get('/_emulator/webhooks', (_req: Request, res: Response) => sendJson(res, 200, { endpoints: webhooks.endpoints().map((e) => ({ url: e.url })), data: webhooks.deliveries() }));
  return router;
}
