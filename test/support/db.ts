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
import { PrismaClient as SqliteStringsClient } from '../../generated/sqlite-strings/client.ts';
import { PrismaClient as PostgresStringsClient } from '../../generated/postgres-strings/client.ts';

/** Both generated clients have the same API; tests use the SQLite one's types. */
export type TestPrisma = InstanceType<typeof SqliteClient>;

export interface TestDb {
  prisma: TestPrisma;
  provider: 'sqlite' | 'postgres';
  /** How raw SQL names a table: PostgreSQL tests run in their own schema, which raw queries do not see by default. */
  table(name: string): string;
  /** The URL a host would put in DATABASE_URL for this database (PostgreSQL: with `?schema=`). */
  url: string;
  /** PostgreSQL: the schema this database lives in (raw SQL must name it). */
  schema?: string;
  /** A second, independent client on the same database (a second app instance); `onQuery` sees every SQL statement. */
  newClient(options?: ClientOptions): TestPrisma;
  close(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

/** The string-id host (prisma/string-ids/host.prisma + the library's models as `init` adds them). */
export type StringIdPrisma = InstanceType<typeof SqliteStringsClient>;

export interface StringIdDb extends Omit<TestDb, 'prisma' | 'newClient'> {
  prisma: StringIdPrisma;
  newClient(): StringIdPrisma;
}

type SchemaName = 'sqlite' | 'postgres' | 'sqlite-strings' | 'postgres-strings';

export function migrationSql(provider: SchemaName): string[] {
  const dir = join(root, 'prisma', provider, 'migrations');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(join(dir, name, 'migration.sql'), 'utf8'));
}

export interface ClientOptions {
  /** Called with each SQL statement the client sends (through Prisma's query events). */
  onQuery?: (sql: string) => void;
}

type QueryEvents = { $on(event: 'query', listener: (e: { query: string }) => void): void };

function withQueryEvents<C>(make: (log: { emit: 'event'; level: 'query' }[] | undefined) => C, options: ClientOptions | undefined): C {
  const client = make(options?.onQuery ? [{ emit: 'event', level: 'query' }] : undefined);
  if (options?.onQuery) (client as unknown as QueryEvents).$on('query', (e) => options.onQuery!(e.query));
  return client;
}

export const usingPostgres = (process.env.TEST_DATABASE_URL ?? '').startsWith('postgres');

export async function createTestDb(): Promise<TestDb> {
  return usingPostgres ? createPostgres(process.env.TEST_DATABASE_URL!) : createSqlite();
}

/** A database of the string-id host, on the suite's provider. */
export async function createStringIdDb(): Promise<StringIdDb> {
  const db = usingPostgres
    ? await createPostgres(process.env.TEST_DATABASE_URL!, 'postgres-strings', PostgresStringsClient as never)
    : createSqlite('sqlite-strings', SqliteStringsClient as never);
  return db as unknown as StringIdDb;
}

type ClientClass = typeof SqliteClient;

function createSqlite(schema: SchemaName = 'sqlite', Client: ClientClass = SqliteClient): TestDb {
  const file = join(tmpdir(), `ewl-test-${process.pid}-${randomBytes(6).toString('hex')}.db`);
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  for (const sql of migrationSql(schema)) raw.exec(sql);
  raw.close();
  const clients: TestPrisma[] = [];
  const newClient = (options?: ClientOptions) => {
    const c = withQueryEvents((log) => new Client({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }), log }), options);
    clients.push(c);
    return c;
  };
  const prisma = newClient();
  return {
    prisma,
    provider: 'sqlite',
    table: (name) => `"${name}"`,
    url: `file:${file}`,
    newClient,
    async close() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

export async function createPostgres(url: string, schemaName: SchemaName = 'postgres', Client: ClientClass = PostgresClient as never): Promise<TestDb> {
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(`SET search_path TO "${schema}"`);
  for (const sql of migrationSql(schemaName)) await admin.query(sql);
  const clients: TestPrisma[] = [];
  const newClient = (options?: ClientOptions) => {
    const c = withQueryEvents((log) => new Client({ adapter: new PrismaPg({ connectionString: url }, { schema }), log }), options) as unknown as TestPrisma;
    clients.push(c);
    return c;
  };
  const prisma = newClient();
  return {
    prisma,
    provider: 'postgres',
    table: (name) => `"${schema}"."${name}"`,
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
