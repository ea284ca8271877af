// `npm start`: the example app at http://localhost:3000 (PORT, BASE_URL) on embedded SQLite. Without WORKOS_API_KEY
// it starts the local WorkOS emulator in-process (EMULATOR_PORT) and points the SDK at it. With DATABASE_URL
// (postgres://) and REDIS_URL it runs in production mode (production.ts): PostgreSQL, sessions and rate limits in Redis.
import { settingsFromEnv, startExample } from './start.ts';

await startExample(settingsFromEnv(process.env));
