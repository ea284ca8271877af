// Prisma CLI configuration for this repository's test/example schemas. PRISMA_PROVIDER (set by
// scripts/prisma.mjs) picks the SQLite or PostgreSQL schema and its migrations.
import { defineConfig } from 'prisma/config';

const provider = process.env.PRISMA_PROVIDER === 'postgres' ? 'postgres' : 'sqlite';
const url =
  process.env.DATABASE_URL ??
  (provider === 'postgres' ? 'postgresql://postgres@127.0.0.1:5432/test' : 'file:./prisma/dev.db');

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
