// Starts the example app (and, without WORKOS_API_KEY, the WorkOS emulator in-process) on any port. server.ts runs
// it with the settings from the environment; port.test.ts runs it on free ports.
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkOSEmulator } from '../../src/emulator/index.ts';
import { createExampleApp, emulatorNotice } from './app.ts';
import { openDemoDatabase } from './database.ts';
import { openProduction } from './production.ts';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './seed.ts';
import { SqliteSessionStore } from './session-store.ts';

export interface ExampleSettings {
  /** PORT: where the app listens (default 3000). */
  port: number;
  /** BASE_URL: the origin people open (default http://localhost:PORT); links and SSO callbacks are built from it. */
  baseUrl: string;
  /** EMULATOR_PORT: where the in-process WorkOS emulator listens (default 4100). */
  emulatorPort: number;
  /** DEMO_DATA_DIR: the demo database and sessions (default examples/basic/data; `npm run demo:reset` empties it). */
  dataDir: string;
  sessionSecret: string;
  /** WORKOS_API_KEY: talk to WorkOS instead of the emulator (with WORKOS_CLIENT_ID). */
  workosApiKey?: string;
  workosClientId?: string;
  /**
   * WORKOS_API_HOSTNAME, WORKOS_API_PORT, WORKOS_API_HTTPS=false (as for the CLI): another WorkOS API than
   * api.workos.com, such as one emulator that several instances share.
   */
  workosApi?: { apiHostname?: string; port?: number; https?: boolean };
  /** WORKOS_WEBHOOK_SECRET: Directory Sync webhooks (with the emulator, a demo secret is used). */
  webhookSecret?: string;
  /**
   * DATABASE_URL (postgres://, `?schema=` names a schema other than public) with REDIS_URL: production mode
   * (PostgreSQL, sessions and rate limits in Redis).
   */
  databaseUrl?: string;
  redisUrl?: string;
  /** REDIS_PREFIX: the prefix of every Redis key (default `ewl-example:`), for apps sharing one Redis. */
  redisPrefix?: string;
  /** BCRYPT_COST: the bcrypt cost of password hashes (default 12); load tests lower it, never a real deployment. */
  bcryptCost?: number;
}

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('./data', import.meta.url));

export function settingsFromEnv(env: NodeJS.ProcessEnv): ExampleSettings {
  const port = Number(env.PORT ?? 3000);
  return {
    port,
    baseUrl: env.BASE_URL ?? `http://localhost:${port}`,
    emulatorPort: Number(env.EMULATOR_PORT ?? 4100),
    dataDir: env.DEMO_DATA_DIR ?? DEFAULT_DATA_DIR,
    sessionSecret: env.SESSION_SECRET ?? 'demo-only-secret-change-me',
    workosApiKey: env.WORKOS_API_KEY || undefined,
    workosClientId: env.WORKOS_CLIENT_ID || undefined,
    workosApi: {
      ...(env.WORKOS_API_HOSTNAME && { apiHostname: env.WORKOS_API_HOSTNAME }),
      ...(env.WORKOS_API_PORT && { port: Number(env.WORKOS_API_PORT) }),
      ...(env.WORKOS_API_HTTPS && { https: env.WORKOS_API_HTTPS !== 'false' }),
    },
    webhookSecret: env.WORKOS_WEBHOOK_SECRET || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || undefined,
    bcryptCost: env.BCRYPT_COST ? Number(env.BCRYPT_COST) : undefined,
  };
}

export interface RunningExample {
  url: string;
  emulator: WorkOSEmulator | null;
  close(): Promise<void>;
}

export async function startExample(settings: ExampleSettings, log: (line: string) => void = console.log): Promise<RunningExample> {
  const { databaseUrl, redisUrl, redisPrefix } = settings;
  const production = databaseUrl?.startsWith('postgres') && redisUrl ? await openProduction({ ...splitSchema(databaseUrl), redisUrl, redisPrefix }) : null;
  const prisma = production?.prisma ?? openDemoDatabase(join(settings.dataDir, 'demo.db'));
  let workos: Parameters<typeof createExampleApp>[0]['workos'];
  let notice: string | undefined;
  let emulator: WorkOSEmulator | null = null;
  let webhookSecret = settings.webhookSecret;
  if (settings.workosApiKey) {
    // Given whole, so that magic links use WorkOS Magic Auth here as with the emulator.
    workos = { apiKey: settings.workosApiKey, clientId: settings.workosClientId, ...settings.workosApi };
  } else {
    const { createWorkOSEmulator, DEMO_DIRECTORY } = await import('../../src/emulator/index.ts');
    emulator = await createWorkOSEmulator({
      port: settings.emulatorPort,
      directory: DEMO_DIRECTORY,
      // This app's own callbacks, whatever its port or host (the first one also receives IdP-initiated logins).
      redirectUris: [`${settings.baseUrl}/accounts/callback/sso/`, `${settings.baseUrl}/accounts/callback/magic/`],
    });
    workos = { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions };
    notice = emulatorNotice(emulator.url);
    log(`No WORKOS_API_KEY set: using the local WorkOS emulator at ${emulator.url}`);
    log(`  read emails and SMS codes at ${emulator.url}/_emulator/outbox.html`);
    log('  SSO: log in as alice@foo-corp.com (SAML by organization), peter@initech.com (SAML by connection;');
    log('  milton@initech.com is refused: his location does not exist), carol@gmail.com (Google), erin@outlook.com (Microsoft)');
    log(`  IdP-initiated SSO (Foo Corp, Initech): ${emulator.url}/_emulator/idp`);
    // Directory Sync events from the emulator's page go to this app's webhook route, signed with this secret.
    webhookSecret ??= 'whsec_demo_only';
    emulator.directory.addWebhookEndpoint({ url: `${settings.baseUrl}/accounts/webhooks/workos/`, secret: webhookSecret });
    log(`  Directory Sync (deprovision alice or bob): ${emulator.url}/_emulator/directory   API calls: ${emulator.url}/_emulator/requests.html`);
  }
  const sqliteSessions = production ? null : new SqliteSessionStore(join(settings.dataDir, 'sessions.db'));
  const sessionStore = production?.sessionStore ?? sqliteSessions!;
  const { app, login } = createExampleApp({ prisma, baseUrl: settings.baseUrl, sessionStore, rateLimit: production?.rateLimit, sessionSecret: settings.sessionSecret, workos, notice, webhookSecret, bcryptCost: settings.bcryptCost });
  await seedDemo(prisma, login);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(settings.port, () => resolve(s));
    s.once('error', reject);
  });
  log(`express-workos-login example at ${settings.baseUrl}/accounts/login/`);
  log(`demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => u.username).join(', ')}`);
  log('password reset links are printed here as "[demo mail]" lines');
  log(
    login.config.magicLink.provider === 'local'
      ? 'magic links (user "magic" or magic@example.com) are printed here as "[demo mail]" lines'
      : `magic login codes (user "magic" or magic@example.com): WorkOS emails them${notice ? ' (read them in the emulator outbox above)' : ''}`,
  );
  return {
    url: settings.baseUrl,
    emulator,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator?.close();
      sqliteSessions?.close();
      await (production ? production.close() : prisma.$disconnect());
    },
  };
}

/** The adapter ignores `?schema=` in a connection string: it takes the schema on its own. */
function splitSchema(databaseUrl: string): { databaseUrl: string; schema?: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  if (!schema) return { databaseUrl };
  url.searchParams.delete('schema');
  return { databaseUrl: url.toString(), schema };
}

/** `npm run demo:reset`: forgets the demo database and sessions (the next start creates and seeds them again). */
export function resetDemoData(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
