// A real database per test file: a fresh SQLite file by default, or a fresh PostgreSQL schema when
// TEST_DATABASE_URL is a postgres:// URL. Migrations are the committed ones, applied as written.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../../generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from '../../generated/postgres/client.ts';

/** Both generated clients have the same API; tests use the SQLite one's types. */
export type TestPrisma = InstanceType<typeof SqliteClient>;

export interface TestDb {
  prisma: TestPrisma;
  provider: 'sqlite' | 'postgres';
  /** The URL a host would put in DATABASE_URL for this database (PostgreSQL: with `?schema=`). */
  url: string;
  /** The PostgreSQL schema of this database (raw SQL must name it: the client sets it only for its own queries). */
  schema?: string;
  /** A second, independent client on the same database (a second app instance). */
  newClient(): TestPrisma;
  close(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

export function migrationSql(provider: 'sqlite' | 'postgres'): string[] {
  const dir = join(root, 'prisma', provider, 'migrations');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(join(dir, name, 'migration.sql'), 'utf8'));
}

export const usingPostgres = (process.env.TEST_DATABASE_URL ?? '').startsWith('postgres');

export async function createTestDb(): Promise<TestDb> {
  return usingPostgres ? createPostgres(process.env.TEST_DATABASE_URL!) : createSqlite();
}

function createSqlite(): TestDb {
  const file = join(tmpdir(), `ewl-test-${process.pid}-${randomBytes(6).toString('hex')}.db`);
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  for (const sql of migrationSql('sqlite')) raw.exec(sql);
  raw.close();
  const clients: TestPrisma[] = [];
  const newClient = () => {
    const c = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
    clients.push(c);
    return c;
  };
  const prisma = newClient();
  return {
    prisma,
    provider: 'sqlite',
    url: `file:${file}`,
    newClient,
    async close() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

async function createPostgres(url: string): Promise<TestDb> {
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(`SET search_path TO "${schema}"`);
  for (const sql of migrationSql('postgres')) await admin.query(sql);
  const clients: TestPrisma[] = [];
  const newClient = () => {
    const c = new PostgresClient({
      adapter: new PrismaPg({ connectionString: url }, { schema }),
    }) as unknown as TestPrisma;
    clients.push(c);
    return c;
  };
  const prisma = newClient();
  return {
    prisma,
    provider: 'postgres',
    schema,
    url: `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`,
    newClient,
    async close() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
