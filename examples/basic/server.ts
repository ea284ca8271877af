// `npm start`: the example app at http://localhost:3000 on embedded SQLite. Without WORKOS_API_KEY it
// starts the local WorkOS emulator in-process and points the SDK at it. With DATABASE_URL (postgres://) and
// REDIS_URL it runs in production mode (production.ts): PostgreSQL, sessions and rate limits in Redis.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExampleApp, emulatorNotice } from './app.ts';
import { openDemoDatabase } from './database.ts';
import { openProduction } from './production.ts';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './seed.ts';
import { SqliteSessionStore } from './session-store.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const port = Number(process.env.PORT ?? 3000);
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;

const databaseUrl = process.env.DATABASE_URL ?? '';
const redisUrl = process.env.REDIS_URL;
const production = databaseUrl.startsWith('postgres') && redisUrl ? await openProduction({ databaseUrl, redisUrl }) : null;
const prisma = production?.prisma ?? openDemoDatabase();
let workos: Parameters<typeof createExampleApp>[0]['workos'];
let notice: string | undefined;
let webhookSecret = process.env.WORKOS_WEBHOOK_SECRET;
if (!process.env.WORKOS_API_KEY) {
  const { createWorkOSEmulator } = await import('../../src/emulator/index.ts');
  // The demo directory allows callbacks on any localhost port; this app's own SSO callback is the default (IdP-initiated).
  const emulator = await createWorkOSEmulator({
    port: Number(process.env.EMULATOR_PORT ?? 4100),
    directory: join(here, 'emulator-directory.json'),
    redirectUris: [`${baseUrl}/accounts/callback/sso/`, 'http://localhost:*'],
  });
  workos = { apiKey: emulator.apiKey, clientId: emulator.clientId, ...emulator.sdkOptions };
  notice = emulatorNotice(emulator.url);
  // Directory Sync events from the emulator's page go to this app's webhook route, signed with this secret.
  webhookSecret ??= 'whsec_demo_only';
  emulator.directory.addWebhookEndpoint({ url: `${baseUrl}/accounts/webhooks/workos/`, secret: webhookSecret });
  console.log(`No WORKOS_API_KEY set: using the local WorkOS emulator at ${emulator.url}`);
  console.log(`  read emails and SMS codes at ${emulator.url}/_emulator/outbox.html`);
  console.log('  SSO: log in as alice@foo-corp.com (SAML by organization), peter@initech.com (SAML by connection;');
  console.log('  milton@initech.com is refused: his location does not exist), carol@gmail.com (Google), erin@outlook.com (Microsoft)');
  console.log(`  IdP-initiated SSO (Foo Corp, Initech): ${emulator.url}/_emulator/idp`);
  console.log(`  Directory Sync (deprovision alice or bob): ${emulator.url}/_emulator/directory   API calls: ${emulator.url}/_emulator/requests.html`);
}

const { app, login } = createExampleApp({
  prisma,
  baseUrl,
  sessionStore: production?.sessionStore ?? new SqliteSessionStore(join(here, 'data', 'sessions.db')),
  rateLimit: production?.rateLimit,
  sessionSecret: process.env.SESSION_SECRET ?? 'demo-only-secret-change-me',
  workos,
  notice,
  webhookSecret,
});
await seedDemo(prisma, login);

app.listen(port, () => {
  console.log(`express-workos-login example at ${baseUrl}/accounts/login/`);
  console.log(`demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => u.username).join(', ')}`);
  console.log('password reset links are printed here as "[demo mail]" lines');
  console.log(
    login.config.magicLink.provider === 'local'
      ? 'magic links (user "magic") are printed here as "[demo mail]" lines'
      : `magic login codes (user "magic"): WorkOS emails them${notice ? ' (read them in the emulator outbox above)' : ''}`,
  );
});
