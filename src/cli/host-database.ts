// The CLI finds the host's database the way the host's Prisma does: `prisma.config.ts` (read by the host's own
// `@prisma/config`: schema path and `datasource.url`), else `DATABASE_URL` and `prisma/schema.prisma`. The schema's
// generator says where the host's client is; it is loaded (TypeScript through jiti) and connected with the driver
// adapter of the datasource's provider, from the host's own dependencies. Nothing here is specific to a command.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PrismaLike } from '../db/types.ts';

/** A problem the person running the CLI can fix (printed without a stack trace). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface HostDatabaseOptions {
  /** The project root (default: the working directory). */
  cwd: string;
  /** `--config`: a Prisma config file, as `prisma --config`. */
  config?: string;
  /** `--schema`: the schema file or folder, as `prisma --schema` (overrides the config's). */
  schema?: string;
  env: NodeJS.ProcessEnv;
}

export interface HostDatabase {
  prisma: PrismaLike & { $disconnect(): Promise<void> };
  provider: 'sqlite' | 'postgresql';
  /** Where it connected, with any password hidden. */
  where: string;
}

type Loaded = { schema: string; url: string | undefined; from: string };

/** The host's Prisma config (through its own `@prisma/config`), or the defaults Prisma uses without one. */
async function prismaConfig(options: HostDatabaseOptions, host: NodeJS.Require): Promise<Loaded> {
  const file = options.config
    ? resolve(options.cwd, options.config)
    : ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.js', 'prisma.config.mjs', '.config/prisma.ts'].map((f) => join(options.cwd, f)).find((f) => existsSync(f));
  if (!file) {
    const pkg = readJson(join(options.cwd, 'package.json')) as { prisma?: { schema?: string } } | undefined;
    return { schema: resolve(options.cwd, options.schema ?? pkg?.prisma?.schema ?? 'prisma/schema.prisma'), url: options.env.DATABASE_URL, from: 'DATABASE_URL' };
  }
  if (!existsSync(file)) throw new CliError(`--config: ${file} does not exist`);
  let configModule: string;
  try {
    configModule = host.resolve('@prisma/config');
  } catch {
    throw new CliError(`${file} needs the prisma package to be read: npm install --save-dev prisma`);
  }
  const { loadConfigFromFile } = (await import(pathToFileURL(configModule).href)) as typeof import('@prisma/config');
  const loaded = await loadConfigFromFile({ configFile: file, configRoot: options.cwd });
  if (loaded.error) {
    const detail = 'error' in loaded.error ? `: ${loaded.error.error.message}` : '';
    throw new CliError(`cannot read ${file} (${loaded.error._tag})${detail}`);
  }
  const config = loaded.config as { schema?: string; datasource?: { url?: string } };
  const schema = options.schema ? resolve(options.cwd, options.schema) : (config.schema ?? join(options.cwd, 'prisma/schema.prisma'));
  return { schema, url: config.datasource?.url ?? options.env.DATABASE_URL, from: file };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Every `.prisma` file of a schema (a file, or a folder of them), with its text. */
function schemaFiles(schema: string): { file: string; text: string }[] {
  if (!existsSync(schema)) throw new CliError(`the Prisma schema ${schema} does not exist (give --schema, or schema in prisma.config.ts)`);
  const files = statSync(schema).isDirectory()
    ? readdirSync(schema, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.prisma')).map((f) => join(schema, f))
    : [schema];
  return files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

function block(text: string, kind: 'datasource' | 'generator'): { body: string }[] {
  return [...text.replace(/\/\/[^\n]*/g, '').matchAll(new RegExp(`${kind}\\s+\\w+\\s*\\{([^}]*)\\}`, 'g'))].map((m) => ({ body: m[1]! }));
}

const setting = (body: string, key: string): string | undefined => new RegExp(`${key}\\s*=\\s*"([^"]*)"`).exec(body)?.[1];

/** The datasource provider and where the schema's generator writes the client. */
function readSchema(schema: string): { provider: string; generator: string; output: string | undefined; dir: string } {
  const files = schemaFiles(schema);
  const provider = files.flatMap((f) => block(f.text, 'datasource')).map((b) => setting(b.body, 'provider'))[0];
  if (!provider) throw new CliError(`no datasource with a provider in ${schema}`);
  for (const f of files) {
    for (const g of block(f.text, 'generator')) {
      const kind = setting(g.body, 'provider');
      if (kind === 'prisma-client' || kind === 'prisma-client-js') return { provider, generator: kind, output: setting(g.body, 'output'), dir: dirname(f.file) };
    }
  }
  throw new CliError(`no prisma-client generator in ${schema}`);
}

/** Loads a module of the host: TypeScript (the `prisma-client` generator's output) through jiti, the rest natively. */
async function loadModule(file: string, root: string): Promise<Record<string, unknown>> {
  const { createJiti } = await import('jiti');
  // Prisma's runtime is loaded natively: jiti's CommonJS interop would break its error messages.
  const jiti = createJiti(pathToFileURL(join(root, 'noop.js')).href, { interopDefault: true, nativeModules: ['@prisma/client'] });
  return jiti.import<Record<string, unknown>>(file);
}

async function hostImport(host: NodeJS.Require, name: string, why: string): Promise<Record<string, unknown>> {
  let path: string;
  try {
    path = host.resolve(name);
  } catch {
    throw new CliError(`${why} needs ${name}: npm install ${name}`);
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]+@/, ':***@');
  }
}

export async function openHostDatabase(options: HostDatabaseOptions): Promise<HostDatabase> {
  const host = createRequire(join(options.cwd, 'package.json'));
  const config = await prismaConfig(options, host);
  if (!config.url) throw new CliError(`no database URL: set DATABASE_URL${config.from === 'DATABASE_URL' ? '' : `, or datasource.url in ${config.from}`}`);
  const schema = readSchema(config.schema);
  let clientModule: Record<string, unknown>;
  if (schema.generator === 'prisma-client') {
    const out = resolve(schema.dir, schema.output ?? '../generated/prisma');
    const entry = ['client.ts', 'client.mts', 'client.js', 'client.mjs'].map((f) => join(out, f)).find((f) => existsSync(f));
    if (!entry) throw new CliError(`the Prisma client is not generated in ${out}: run npx prisma generate`);
    clientModule = await loadModule(entry, options.cwd);
  } else {
    clientModule = schema.output ? await loadModule(resolve(schema.dir, schema.output), options.cwd) : await hostImport(host, '@prisma/client', 'the Prisma client');
  }
  const PrismaClient = clientModule.PrismaClient as (new (options: object) => HostDatabase['prisma']) | undefined;
  if (typeof PrismaClient !== 'function') throw new CliError(`the generated Prisma client has no PrismaClient export`);

  let adapter: object;
  let provider: HostDatabase['provider'];
  if (schema.provider === 'sqlite') {
    provider = 'sqlite';
    const { PrismaBetterSqlite3 } = (await hostImport(host, '@prisma/adapter-better-sqlite3', 'SQLite')) as { PrismaBetterSqlite3: new (o: { url: string }) => object };
    adapter = new PrismaBetterSqlite3({ url: config.url });
  } else if (schema.provider === 'postgresql' || schema.provider === 'postgres') {
    provider = 'postgresql';
    const { PrismaPg } = (await hostImport(host, '@prisma/adapter-pg', 'PostgreSQL')) as { PrismaPg: new (c: { connectionString: string }, o?: { schema: string }) => object };
    // The client ignores `?schema=` in the URL: like Prisma's own tools, it is passed to the adapter.
    const url = new URL(config.url);
    const pgSchema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    adapter = new PrismaPg({ connectionString: url.toString() }, pgSchema ? { schema: pgSchema } : undefined);
  } else {
    throw new CliError(`the ${schema.provider} provider is not supported by the CLI (SQLite and PostgreSQL are)`);
  }
  return { prisma: new PrismaClient({ adapter }), provider, where: redactUrl(config.url) };
}
