// The emulator's world: API clients, organizations, connections and their users, Directory Sync directories and
// webhook endpoints. Loaded once from a JSON file or an object and validated with zod, so a typo fails at start-up
// naming the key.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import {
  type Client,
  type ClientInput,
  type Connection,
  type ConnectionInput,
  type DirectoryInput,
  type DirectorySyncInput,
  type DirectoryUser,
  type DirectoryUserInput,
  type Organization,
  type OrganizationInput,
  type ParsedDirectory,
  type WebhookEndpointInput,
  clientSchema,
  connectionSchema,
  directorySchema,
  normaliseUser,
  organizationSchema,
  parse,
  userSchema,
  webhookEndpointSchema,
} from './directory-schema.ts';
import { DirectoryStore, type SyncDirectory } from './directories.ts';
import { EmulatorConfigError } from './errors.ts';

export interface WebhookEndpoint {
  readonly url: string;
  readonly secret: string;
}

interface MutableConnection extends Omit<Connection, 'users'> {
  users: DirectoryUser[];
}

/** The live directory of one emulator; tests add users and connections to it at runtime. */
export class EmulatorDirectory {
  readonly #clients: Client[] = [];
  readonly #organizations: Organization[] = [];
  readonly #connections: MutableConnection[] = [];
  readonly #directories: DirectoryStore;
  readonly #webhooks: WebhookEndpoint[] = [];

  constructor(data: ParsedDirectory, now: () => number = Date.now) {
    this.#directories = new DirectoryStore(now, (id) => !!this.organization(id));
    data.clients.forEach((c, i) => this.#insertClient(c, `clients[${i}]`));
    data.organizations.forEach((o, i) => this.#insertOrganization(o, `organizations[${i}]`));
    data.connections.forEach((c, i) => this.#insertConnection(c, `connections[${i}]`));
    data.directories.forEach((d, i) => this.#directories.add(d, `directories[${i}]`));
    data.webhooks.forEach((w, i) => this.addWebhookEndpoint(w, `webhooks[${i}]`));
  }

  /** The Directory Sync store behind `directories()`; Directory Sync events change it. */
  static directoryStoreOf(directory: EmulatorDirectory): DirectoryStore {
    return directory.#directories;
  }

  clients(): readonly Client[] {
    return [...this.#clients];
  }

  client(clientId: string): Client | undefined {
    return this.#clients.find((c) => c.clientId === clientId);
  }

  clientByApiKey(apiKey: string): Client | undefined {
    return this.#clients.find((c) => c.apiKey === apiKey);
  }

  organizations(): readonly Organization[] {
    return [...this.#organizations];
  }

  organization(id: string): Organization | undefined {
    return this.#organizations.find((o) => o.id === id);
  }

  organizationForDomain(domain: string): Organization | undefined {
    const wanted = domain.toLowerCase();
    return this.#organizations.find((o) => o.domains.some((d) => d.toLowerCase() === wanted));
  }

  connections(): readonly Connection[] {
    return this.#connections.map((c) => this.#snapshot(c));
  }

  connection(id: string): Connection | undefined {
    const found = this.#connections.find((c) => c.id === id);
    return found && this.#snapshot(found);
  }

  findUser(connectionId: string, idpId: string): DirectoryUser | undefined {
    return this.#connections.find((c) => c.id === connectionId)?.users.find((u) => u.idpId === idpId);
  }

  /** Directory Sync directories with their users and groups (change them with `emulator.directorySync.send`). */
  directories(): readonly SyncDirectory[] {
    return this.#directories.list();
  }

  syncDirectory(id: string): SyncDirectory | undefined {
    return this.#directories.get(id);
  }

  addDirectory(input: DirectorySyncInput): SyncDirectory {
    return this.#directories.add(input, 'addDirectory()');
  }

  /** Where signed webhook events are delivered. */
  webhookEndpoints(): readonly WebhookEndpoint[] {
    return [...this.#webhooks];
  }

  addWebhookEndpoint(input: WebhookEndpointInput, at = 'addWebhookEndpoint()'): WebhookEndpoint {
    const parsed = parse(webhookEndpointSchema, input, 'webhook endpoint', at);
    if (this.#webhooks.some((w) => w.url === parsed.url)) throw new EmulatorConfigError(`${at}.url: duplicate webhook endpoint '${parsed.url}'`);
    const endpoint = Object.freeze({ url: parsed.url, secret: parsed.secret });
    this.#webhooks.push(endpoint);
    return endpoint;
  }

  addClient(input: ClientInput): Client {
    return this.#insertClient(parse(clientSchema, input, 'client', 'addClient()'), 'addClient()');
  }

  addOrganization(input: OrganizationInput): Organization {
    return this.#insertOrganization(parse(organizationSchema, input, 'organization', 'addOrganization()'), 'addOrganization()');
  }

  addConnection(input: ConnectionInput): Connection {
    const parsed = parse(connectionSchema, input, 'connection', 'addConnection()');
    return this.#snapshot(this.#insertConnection(parsed, 'addConnection()'));
  }

  addUser(connectionId: string, input: DirectoryUserInput): DirectoryUser {
    const connection = this.#connections.find((c) => c.id === connectionId);
    if (!connection) throw new EmulatorConfigError(`addUser(): unknown connection '${connectionId}'`);
    const user = normaliseUser(parse(userSchema, input, 'user', 'addUser()'));
    this.#pushUser(connection, user, 'addUser()');
    return user;
  }

  #snapshot(c: MutableConnection): Connection {
    return Object.freeze({ ...c, users: Object.freeze([...c.users]) });
  }

  #insertClient(c: z.output<typeof clientSchema>, at: string): Client {
    if (this.client(c.clientId)) throw new EmulatorConfigError(`${at}.clientId: duplicate client '${c.clientId}'`);
    if (this.clientByApiKey(c.apiKey)) throw new EmulatorConfigError(`${at}.apiKey: another client already uses this API key`);
    const client = Object.freeze({ clientId: c.clientId, apiKey: c.apiKey, redirectUris: Object.freeze([...c.redirectUris]) });
    this.#clients.push(client);
    return client;
  }

  #insertOrganization(o: z.output<typeof organizationSchema>, at: string): Organization {
    if (this.organization(o.id)) throw new EmulatorConfigError(`${at}.id: duplicate organization '${o.id}'`);
    const org = Object.freeze({ id: o.id, name: o.name, domains: Object.freeze([...o.domains]) });
    this.#organizations.push(org);
    return org;
  }

  #insertConnection(c: z.output<typeof connectionSchema>, at: string): MutableConnection {
    if (this.#connections.some((x) => x.id === c.id)) throw new EmulatorConfigError(`${at}.id: duplicate connection '${c.id}'`);
    if (c.organizationId !== undefined && !this.organization(c.organizationId)) {
      throw new EmulatorConfigError(`${at}.organizationId: unknown organization '${c.organizationId}'`);
    }
    const connection: MutableConnection = { id: c.id, type: c.type, name: c.name, organizationId: c.organizationId ?? null, users: [] };
    c.users.forEach((u, i) => this.#pushUser(connection, normaliseUser(u), `${at}.users[${i}]`));
    this.#connections.push(connection);
    return connection;
  }

  #pushUser(connection: MutableConnection, user: DirectoryUser, at: string): void {
    if (connection.users.some((u) => u.idpId === user.idpId)) {
      throw new EmulatorConfigError(`${at}.idpId: duplicate idpId '${user.idpId}' in connection '${connection.id}'`);
    }
    connection.users.push(user);
  }
}

export const DEFAULT_CLIENT_ID = 'client_emulator';
export const DEFAULT_API_KEY = 'sk_test_emulator';
/** Without configured clients any local port may receive codes, which suits quick experiments. */
export const DEFAULT_REDIRECT_URIS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

/** Settings that replace the first client's (or shape the default client when the directory has none). */
export interface PrimaryClientOverrides {
  apiKey?: string | undefined;
  clientId?: string | undefined;
  redirectUris?: readonly string[] | undefined;
  /** The emulator's clock, for the timestamps of directory users and groups. */
  now?: (() => number) | undefined;
}

async function readSource(source: DirectoryInput | string): Promise<unknown> {
  if (typeof source !== 'string') return source;
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new EmulatorConfigError(`Cannot read the directory file ${source}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EmulatorConfigError(`The directory file ${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads and validates a directory from a JSON file path or an object, then applies the overrides. */
export async function loadDirectory(
  source: DirectoryInput | string | undefined,
  overrides: PrimaryClientOverrides = {},
): Promise<EmulatorDirectory> {
  const what = typeof source === 'string' ? `directory file ${source}` : 'directory';
  const data = parse(directorySchema, source === undefined ? {} : await readSource(source), what, '');
  const [first, ...rest] = data.clients;
  const primary = parse(
    clientSchema,
    {
      clientId: overrides.clientId ?? first?.clientId ?? DEFAULT_CLIENT_ID,
      apiKey: overrides.apiKey ?? first?.apiKey ?? DEFAULT_API_KEY,
      redirectUris: [...(overrides.redirectUris ?? first?.redirectUris ?? DEFAULT_REDIRECT_URIS)],
    },
    'emulator options',
    'clients[0]',
  );
  try {
    return new EmulatorDirectory({ ...data, clients: [primary, ...rest] }, overrides.now);
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw new EmulatorConfigError(`Invalid ${what}:`, [error.message]);
    throw error;
  }
}
