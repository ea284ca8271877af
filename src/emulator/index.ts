// A local WorkOS for development and tests: the unmodified `@workos-inc/node` SDK talks to it over HTTP
// (`new WorkOS(apiKey, emulator.sdkOptions)`). Every instance has its own state, clock and port.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { type EmulatorClock, createClock } from './clock.ts';
import type { EmulatorContext } from './context.ts';
import type { DirectoryInput } from './directory-schema.ts';
import { type EmulatorDirectory, loadDirectory } from './directory.ts';
import { type FaultRule, Faults, type InjectedFault } from './faults.ts';
import { Grants } from './grants.ts';
import { assignRequestId, errorHandler, notFound, requireApiKey } from './http.ts';
import { type EmulatorIdp, createIdpClient } from './idp-client.ts';
import { idpInitiatedRoutes } from './idp-initiated.ts';
import { mfaRoutes } from './mfa.ts';
import { Outbox, type OutboxFilter, type OutboxMessage, outboxRoutes } from './outbox.ts';
import { homePage } from './pages.ts';
import { passwordlessRoutes } from './passwordless.ts';
import { DirectorySync, type DirectoryEventInput, type SentDirectoryEvent, directorySyncRoutes } from './directory-sync.ts';
import { ssoAuthorizeRoutes } from './sso-authorize.ts';
import { ssoTokenRoutes } from './sso-token.ts';
import { type RecordedRequest, type RequestFilter, Traffic, trafficRoutes } from './traffic.ts';
import { userManagementRoutes } from './user-management.ts';
import { type SignatureOptions, type WebhookDelivery, Webhooks, signatureHeader } from './webhooks.ts';
import { loadTotp } from './totp.ts';

/**
 * The demo directory shipped with the package (Foo Corp and Initech SAML, Google, Microsoft, a client that allows
 * `http://localhost:*` and `http://127.0.0.1:*` callbacks under /accounts/): the command's default directory.
 */
export const DEMO_DIRECTORY = fileURLToPath(new URL('../../emulator/demo-directory.json', import.meta.url));

export { CONNECTION_TYPES } from './directory-schema.ts';
export type {
  Client,
  ClientInput,
  Connection,
  ConnectionInput,
  ConnectionType,
  DirectoryGroupInput,
  DirectoryInput,
  DirectorySyncInput,
  DirectorySyncUserInput,
  DirectoryUser,
  DirectoryUserInput,
  Organization,
  OrganizationInput,
  WebhookEndpointInput,
} from './directory-schema.ts';
export { DEFAULT_API_KEY, DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URIS } from './directory.ts';
export type { EmulatorDirectory, WebhookEndpoint } from './directory.ts';
export type { DirectoryUserChanges, DirectoryUserState, SyncDirectory, SyncDirectoryGroup, SyncDirectoryUser } from './directories.ts';
export { DIRECTORY_EVENTS } from './directory-sync.ts';
export type { DirectoryEventInput, DirectoryEventName, SentDirectoryEvent } from './directory-sync.ts';
export type { RecordedRequest, RequestFilter } from './traffic.ts';
export { SIGNATURE_HEADER, signatureHeader } from './webhooks.ts';
export type { SignatureOptions, WebhookDelivery, WebhookEvent } from './webhooks.ts';
export { EmulatorConfigError } from './errors.ts';
export type { EmulatorClock } from './clock.ts';
export type { FaultRule, InjectedFault } from './faults.ts';
export type { AuthorizeErrorCode, CustomProfileChoice, EmulatorIdp, SignInChoice } from './idp-client.ts';
export type { OutboxFilter, OutboxMessage } from './outbox.ts';
export type { OauthTokens, Profile, ProfileRole } from './profile.ts';

export interface WorkOSEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  /** The directory as an object or a path to a JSON file. */
  directory?: DirectoryInput | string;
  /** Replaces the first client's API key (default client: `sk_test_emulator`). */
  apiKey?: string;
  /** Replaces the first client's id (default client: `client_emulator`). */
  clientId?: string;
  /** Replaces the first client's allow-listed redirect URIs. */
  redirectUris?: string[];
  /** Base clock in epoch milliseconds; `clock.advance` adds to it. */
  now?: () => number;
}

/** Spread into the SDK's options: `new WorkOS(emulator.apiKey, emulator.sdkOptions)`. */
export interface EmulatorSdkOptions {
  apiHostname: string;
  https: false;
  port: number;
}

export interface EmulatorOutbox {
  messages(filter?: OutboxFilter): OutboxMessage[];
  latest(to: string): OutboxMessage | undefined;
  clear(): void;
}

export interface EmulatorFaults {
  inject(rule: FaultRule): InjectedFault;
  pending(): readonly InjectedFault[];
  clear(): void;
}

/** Every API call the emulator received (not its own `/_emulator/*` pages), secrets masked. */
export interface EmulatorRequests {
  /** Oldest first; `filter` by method and path (exact, a prefix ending in `*`, or a RegExp). */
  list(filter?: RequestFilter): RecordedRequest[];
  latest(filter?: RequestFilter): RecordedRequest | undefined;
  clear(): void;
}

/** Directory Sync: change a directory as its provider would and deliver the signed `dsync.*` event. */
export interface EmulatorDirectorySync {
  send(input: DirectoryEventInput): Promise<SentDirectoryEvent>;
}

/** Signed webhook deliveries to the directory's endpoints. */
export interface EmulatorWebhooks {
  /** Every delivery, oldest first, with its exact body, signature and the endpoint's answer. */
  deliveries(): WebhookDelivery[];
  /** Sends a delivery again unchanged (same body and signature): a replay. */
  resend(deliveryId: string): Promise<WebhookDelivery>;
  /** The `WorkOS-Signature` header for `body` (default: signed now, with the first endpoint's secret). */
  sign(body: string, options?: SignatureOptions): string;
  clear(): void;
}

export interface WorkOSEmulator {
  /** e.g. `http://127.0.0.1:4100`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The first client's API key and id. */
  readonly apiKey: string;
  readonly clientId: string;
  /** A fresh object on each read, because the SDK may write into the options it is given. */
  readonly sdkOptions: EmulatorSdkOptions;
  readonly outbox: EmulatorOutbox;
  readonly faults: EmulatorFaults;
  readonly clock: EmulatorClock;
  readonly directory: EmulatorDirectory;
  readonly idp: EmulatorIdp;
  readonly requests: EmulatorRequests;
  readonly directorySync: EmulatorDirectorySync;
  readonly webhooks: EmulatorWebhooks;
  close(): Promise<void>;
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** Host as it goes into a URL: clients cannot connect to a wildcard address, and IPv6 needs brackets. */
function urlHost(host: string): string {
  const connectable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return connectable.includes(':') ? `[${connectable}]` : connectable;
}

export async function createWorkOSEmulator(options: WorkOSEmulatorOptions = {}): Promise<WorkOSEmulator> {
  await loadTotp();
  const clock = createClock(options.now);
  const directory = await loadDirectory(options.directory, { ...options, now: clock.now });
  const outbox = new Outbox(clock);
  const faults = new Faults();
  const traffic = new Traffic(clock, directory);
  const webhooks = new Webhooks(clock, directory);
  const directorySync = new DirectorySync(clock, directory, webhooks);
  const host = options.host ?? '127.0.0.1';
  let baseUrl = '';
  const ctx: EmulatorContext = { directory, clock, outbox, grants: new Grants(clock), baseUrl: () => baseUrl };

  const app = express();
  app.disable('x-powered-by');
  app.use(assignRequestId);
  app.use(traffic.middleware());
  app.use(faults.middleware());
  app.use(express.json({ limit: '100kb' }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.get('/', (_req, res) => {
    res.type('html').send(homePage(directory.clients(), directory.connections()));
  });
  app.use(ssoAuthorizeRoutes(ctx), ssoTokenRoutes(ctx), idpInitiatedRoutes(ctx));
  app.use(['/auth', '/passwordless/sessions', '/user_management'], requireApiKey(directory));
  app.use(mfaRoutes(ctx), passwordlessRoutes(ctx), userManagementRoutes(ctx), outboxRoutes(outbox), faults.routes());
  app.use(trafficRoutes(traffic, webhooks), directorySyncRoutes(ctx, directorySync, webhooks));
  app.use(notFound);
  app.use(errorHandler);

  const server = await listen(app, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const hostname = urlHost(host);
  baseUrl = `http://${hostname}:${port}`;
  const primary = directory.clients()[0];
  if (!primary) throw new Error('unreachable: the directory always has a primary client');

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    apiKey: primary.apiKey,
    clientId: primary.clientId,
    get sdkOptions(): EmulatorSdkOptions {
      return { apiHostname: hostname, https: false, port };
    },
    outbox,
    faults,
    clock,
    directory,
    idp: createIdpClient(() => baseUrl, directory),
    requests: { list: (filter) => traffic.list(filter), latest: (filter) => traffic.latest(filter), clear: () => traffic.clear() },
    directorySync: { send: (input) => directorySync.send(input) },
    webhooks: {
      deliveries: () => webhooks.deliveries(),
      resend: (id) => webhooks.resend(id),
      sign(body, options = {}) {
        const secret = options.secret ?? directory.webhookEndpoints()[0]?.secret;
        if (secret === undefined) throw new TypeError('webhooks.sign(): give a secret, or add a webhook endpoint to the directory');
        return signatureHeader(body, secret, options.timestamp ?? clock.now());
      },
      clear: () => webhooks.clear(),
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        faults.dispose();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch keeps them) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
