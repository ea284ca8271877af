// Prisma CLI configuration for this repository's test/example schemas. PRISMA_PROVIDER (set by
// scripts/prisma.mjs) picks the SQLite or PostgreSQL schema (or their string-id variants) and its migrations.
import { defineConfig } from 'prisma/config';

const SCHEMAS = ['sqlite', 'postgres', 'sqlite-strings', 'postgres-strings'];
const provider = SCHEMAS.includes(process.env.PRISMA_PROVIDER ?? '') ? process.env.PRISMA_PROVIDER! : 'sqlite';
const url =
  process.env.DATABASE_URL ??
  (provider.startsWith('postgres') ? 'postgresql://postgres@127.0.0.1:5432/test' : 'file:./prisma/dev.db');

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
