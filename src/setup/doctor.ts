// `express-workos-login doctor`: checks a host's set-up and says what to fix. The schema (the config reads every
// file, the models and fields the library uses, their types, unique constraints and indexes), the database (its
// tables and columns, the login rules) and, where the source shows it, the order of express-session and the router.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_RULE } from '../rules/seed.ts';
import { parseOptions, type CommandIo } from '../cli/io.ts';
import { fieldProblem, hostIdOf, libraryModels, MODELS_FILE, OPTIONAL_MODELS, type HostId } from './models.ts';
import { libraryModelsText, readProject, schemaFilesIn, schemaFilesOf, type PrismaProject } from './project.ts';
import { datasourceProvider, mappedName, nativeType, parseModels, type SchemaModel } from './schema.ts';

export const DOCTOR_USAGE = `Usage: express-workos-login doctor [options]

Checks your Prisma schema, your database and your app's set-up for express-workos-login (run it where
prisma.config.ts is). Exits 1 when something must be fixed.

Options:
  --url <url>   database to check (default: DATABASE_URL, from the environment or .env)
  --no-db       check the schema and the source only
  -h, --help    show this help`;

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  verdict: Verdict;
  text: string;
}

const MARK: Record<Verdict, string> = { ok: '✓', warn: '!', fail: '✗' };

export async function runDoctorCommand(argv: readonly string[], io: CommandIo, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const values = parseOptions(argv, { url: { type: 'string' }, 'no-db': { type: 'boolean' } }, DOCTOR_USAGE, io);
  if (typeof values === 'number') return values;
  const root = resolve(cwd);
  const findings: Finding[] = [];
  const project = readProject(root);
  const schema = checkSchema(project, findings);
  if (!values['no-db'] && schema) {
    const url = values.url ?? env.DATABASE_URL ?? dotenvValue(root, 'DATABASE_URL');
    if (!url) findings.push({ verdict: 'warn', text: 'database: not checked (no --url, no DATABASE_URL in the environment or .env)' });
    else await checkDatabase(root, url, schema, findings);
  }
  checkMiddlewareOrder(root, findings);
  for (const f of findings) (f.verdict === 'fail' ? io.err : io.out)(`${MARK[f.verdict]} ${f.text}`);
  const failed = findings.filter((f) => f.verdict === 'fail').length;
  io.out(failed === 0 ? 'express-workos-login doctor: no problems found' : `express-workos-login doctor: ${failed} problem${failed === 1 ? '' : 's'} to fix`);
  return failed === 0 ? 0 : 1;
}

/** What the database check needs of the schema: each library model's table and columns. */
interface SchemaView {
  provider: string | null;
  /** Each model's table, and the column of each of the library's scalar fields. */
  tables: { model: string; table: string; columns: Record<string, string>; optional: boolean }[];
}

function checkSchema(project: PrismaProject, findings: Finding[]): SchemaView | null {
  const shown = (path: string) => relative(project.root, path).split(sep).join('/') || '.';
  if (!project.configPath) {
    findings.push({ verdict: 'fail', text: 'no Prisma config (prisma.config.ts) here: run `npx prisma init`, then `npx express-workos-login init`' });
    return null;
  }
  if (!project.schemaIsFolder) {
    const others = schemaFilesIn(dirname(project.schemaPath), project.root).filter((f) => resolve(project.root, f.path) !== project.schemaPath);
    if (others.length > 0) {
      findings.push({
        verdict: 'fail',
        text: `${shown(project.configPath)} points at the file ${shown(project.schemaPath)}, so Prisma ignores ${others.map((f) => f.path).join(', ')}: run \`npx express-workos-login init\` (it switches the config to the folder)`,
      });
    }
  } else findings.push({ verdict: 'ok', text: `schema: the folder ${shown(project.schemaPath)} (every .prisma file in it)` });
  const files = schemaFilesOf(project);
  if (files.length === 0) {
    findings.push({ verdict: 'fail', text: `no schema at ${shown(project.schemaPath)}` });
    return null;
  }
  const hostModels = files.flatMap((f) => parseModels(f));
  const lib = libraryModels(libraryModelsText());
  const user = hostModels.find((m) => m.name === 'User');
  if (!user) {
    findings.push({ verdict: 'fail', text: `no User model: run \`npx express-workos-login init\` (it writes ${MODELS_FILE} with the library's models)` });
    return null;
  }
  const id = hostIdOf(user);
  if (typeof id === 'string') findings.push({ verdict: 'fail', text: id });
  const tables: SchemaView['tables'] = [];
  let problems = 0;
  for (const libModel of lib.models) {
    const model = hostModels.find((m) => m.name === libModel.name);
    const optional = libModel.name in OPTIONAL_MODELS;
    if (!model) {
      problems++;
      findings.push(
        optional
          ? { verdict: 'warn', text: `model ${libModel.name} is missing: only ${OPTIONAL_MODELS[libModel.name]} needs it` }
          : { verdict: 'fail', text: `model ${libModel.name} is missing: run \`npx express-workos-login init\`` },
      );
      continue;
    }
    for (const text of modelProblems(libModel, model, typeof id === 'string' ? null : id)) {
      problems++;
      findings.push({ verdict: text.startsWith('index') ? 'warn' : 'fail', text: text.replace(/^index: /, '') });
    }
    tables.push({
      model: model.name,
      table: mappedName(model.blockAttributes.join(' '), true) ?? model.name,
      columns: Object.fromEntries(libModel.fields.filter((f) => !isRelationField(f.type)).map((f) => [f.name, columnOf(model, f.name)])),
      optional,
    });
  }
  if (problems === 0) findings.push({ verdict: 'ok', text: `models: ${lib.models.map((m) => m.name).join(', ')} with every field, unique constraint and index the library uses` });
  if (typeof id !== 'string') findings.push({ verdict: 'ok', text: `User.id is ${id.type}${id.native ? ` ${id.native}` : ''}` });
  return { provider: datasourceProvider(files), tables };
}

const SCALARS = new Set(['String', 'Int', 'Boolean', 'DateTime', 'BigInt', 'Float', 'Decimal', 'Json', 'Bytes']);
const isRelationField = (type: string) => !SCALARS.has(type);

function columnOf(model: SchemaModel, field: string): string {
  const f = model.fields.find((x) => x.name === field);
  return (f && mappedName(f.attributes)) ?? field;
}

const normalize = (attribute: string) => attribute.replace(/\s+/g, '').replace(/,(map|name):"[^"]*"/g, '');

/** What is wrong with a host model compared with the library's (fields, then block constraints). */
function modelProblems(lib: SchemaModel, host: SchemaModel, id: HostId | null): string[] {
  const problems: string[] = [];
  for (const field of lib.fields) {
    if (lib.name === 'User' && field.name === 'id') continue;
    const have = host.fields.find((f) => f.name === field.name);
    if (!have) {
      problems.push(`${lib.name}.${field.name} is missing${lib.name === 'User' ? ': run `npx express-workos-login init` (it adds the missing fields)' : ''}`);
      continue;
    }
    if (field.name === 'userId' && id) {
      const want = { ...field, type: id.type };
      const problem = fieldProblem(lib.name, want, have);
      if (problem) problems.push(`${problem} (like User.id)`);
      else if (id.native && nativeType(have) !== id.native) problems.push(`${lib.name}.userId needs ${id.native}, like User.id`);
      continue;
    }
    const problem = fieldProblem(lib.name, field, have);
    if (problem) problems.push(problem);
  }
  const hostBlock = host.blockAttributes.map(normalize);
  for (const attribute of lib.blockAttributes) {
    const wanted = normalize(attribute);
    if (hostBlock.some((h) => h === wanted || h.startsWith(wanted.slice(0, -1)))) continue;
    if (wanted.startsWith('@@unique')) problems.push(`${lib.name} needs ${attribute} (the library relies on it)`);
    else if (wanted.startsWith('@@index')) {
      const column = /\[(\w+)\]/.exec(wanted)?.[1];
      const covered = column && host.fields.some((f) => f.name === column && /@(unique|id)\b/.test(f.attributes));
      if (!covered) problems.push(`index: ${lib.name} has no ${attribute}: lookups by it scan the table`);
    }
  }
  return problems;
}

function dotenvValue(root: string, name: string): string | undefined {
  const file = join(root, '.env');
  if (!existsSync(file)) return undefined;
  const m = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=\\s*(.*)$`, 'm').exec(readFileSync(file, 'utf8'));
  return m ? m[1]!.trim().replace(/^(['"])(.*)\1$/, '$2') : undefined;
}

interface Db {
  columns(table: string): Promise<string[] | null>;
  /** The names of the enabled rules. */
  rules(table: string, nameColumn: string, enabledColumn: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Connects with the host's own driver (pg or better-sqlite3, which its Prisma adapter needs anyway). */
async function connect(root: string, url: string): Promise<Db | string> {
  const requireFromHost = createRequire(join(root, 'package.json'));
  if (/^postgres(ql)?:\/\//.test(url)) {
    let pg: { Client: new (options: { connectionString: string }) => PgClient };
    try {
      pg = requireFromHost('pg') as typeof pg;
    } catch {
      return 'the database is PostgreSQL but the package pg is not installed here';
    }
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? 'public';
    parsed.searchParams.delete('schema');
    const client = new pg.Client({ connectionString: parsed.toString() });
    await client.connect();
    return {
      async columns(table) {
        const r = await client.query('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, table]);
        return r.rows.length === 0 ? null : r.rows.map((row) => String(row.column_name));
      },
      async rules(table, nameColumn, enabledColumn) {
        const r = await client.query(`SELECT "${nameColumn}" AS name FROM "${schema}"."${table}" WHERE "${enabledColumn}" = true`);
        return r.rows.map((row) => String(row.name));
      },
      close: () => client.end(),
    };
  }
  if (url.startsWith('file:')) {
    let Database: new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteDb;
    try {
      Database = requireFromHost('better-sqlite3') as typeof Database;
    } catch {
      return 'the database is SQLite but the package better-sqlite3 is not installed here';
    }
    const file = resolve(root, url.slice('file:'.length));
    if (!existsSync(file)) return `the SQLite file ${file} does not exist: run \`npx prisma migrate dev\``;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    return {
      async columns(table) {
        const rows = db.prepare(`PRAGMA table_info("${table.replace(/"/g, '""')}")`).all() as { name: string }[];
        return rows.length === 0 ? null : rows.map((r) => r.name);
      },
      async rules(table, nameColumn, enabledColumn) {
        return (db.prepare(`SELECT "${nameColumn}" AS name FROM "${table}" WHERE "${enabledColumn}" = 1`).all() as { name: string }[]).map((r) => r.name);
      },
      close: async () => db.close(),
    };
  }
  return `cannot check a database at ${url.replace(/\/\/[^@/]*@/, '//…@')} (PostgreSQL and SQLite URLs only)`;
}

interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
interface SqliteDb {
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}

async function checkDatabase(root: string, url: string, schema: SchemaView, findings: Finding[]): Promise<void> {
  let db: Db | string;
  try {
    db = await connect(root, url);
  } catch (error) {
    findings.push({ verdict: 'fail', text: `database: cannot connect (${(error as Error).message})` });
    return;
  }
  if (typeof db === 'string') {
    findings.push({ verdict: 'warn', text: `database: not checked: ${db}` });
    return;
  }
  try {
    let missing = 0;
    for (const t of schema.tables) {
      const columns = await db.columns(t.table);
      if (!columns) {
        missing++;
        findings.push({ verdict: t.optional ? 'warn' : 'fail', text: `database: table ${t.table} (${t.model}) does not exist: run \`npx prisma migrate dev\`` });
        continue;
      }
      const absent = Object.values(t.columns).filter((c) => !columns.includes(c));
      if (absent.length > 0) {
        missing++;
        findings.push({ verdict: 'fail', text: `database: ${t.table} lacks ${absent.join(', ')}: run \`npx prisma migrate dev\`` });
      }
    }
    if (missing === 0) findings.push({ verdict: 'ok', text: `database: every table and column of the schema exists` });
    const rules = schema.tables.find((t) => t.model === 'LoginRule');
    if (rules && missing === 0) {
      const names = await db.rules(rules.table, rules.columns.name ?? 'name', rules.columns.enabled ?? 'enabled');
      if (names.length === 0) findings.push({ verdict: 'fail', text: 'database: no enabled login rule, so nobody can log in: call `await seedDefaultRule(prisma)` once (exported by express-workos-login)' });
      else if (!names.includes(DEFAULT_RULE.name)) findings.push({ verdict: 'warn', text: `database: ${names.length} rule(s), none is the default "${DEFAULT_RULE.name}": people no rule targets cannot log in` });
      else findings.push({ verdict: 'ok', text: `database: ${names.length} enabled login rule(s), the default "${DEFAULT_RULE.name}" among them` });
    }
  } finally {
    await db.close();
  }
}

const SOURCE = /\.(c|m)?(t|j)s$/;

/** Host source files that call workosLogin(…): the first 200 outside node_modules, dist, build and generated code. */
function sourcesUsingRouter(root: string): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || seen > 2000) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || ['node_modules', 'dist', 'build', 'generated', 'coverage'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') && seen++ < 2000) {
        const text = readFileSync(path, 'utf8');
        if (text.includes('workosLogin(') && found.length < 200) found.push({ path: relative(root, path).split(sep).join('/'), text });
      }
    }
  };
  walk(root, 0);
  return found;
}

/** express-session must run before the router and `loadUser`; in each file that builds the router, compare where they are mounted. */
function checkMiddlewareOrder(root: string, findings: Finding[]): void {
  const sources = sourcesUsingRouter(root);
  if (sources.length === 0) {
    findings.push({ verdict: 'warn', text: 'middleware order: not checked (no source file here calls workosLogin(…))' });
    return;
  }
  for (const { path, text } of sources) {
    const name = /(?:const|let|var)\s+(\w+)\s*=\s*workosLogin\(/.exec(text)?.[1];
    const session = /\.use\(\s*session\(/.exec(text);
    const mounts = name ? [...text.matchAll(new RegExp(`\\.use\\((?:\\s*['"\`][^'"\`]*['"\`]\\s*,)?\\s*${name}(?:\\.loadUser)?\\s*\\)`, 'g'))] : [];
    if (!name || mounts.length === 0) {
      findings.push({ verdict: 'warn', text: `middleware order: cannot tell in ${path} (the router is not mounted with app.use(…) there)` });
    } else if (!session) {
      findings.push({ verdict: 'warn', text: `middleware order: cannot tell in ${path} (express-session is set up elsewhere): it must come before app.use(${name})` });
    } else if (mounts.some((m) => m.index < session.index)) {
      findings.push({ verdict: 'fail', text: `middleware order: ${path} mounts ${name} before express-session: move app.use(session(…)) above it` });
    } else findings.push({ verdict: 'ok', text: `middleware order: ${path} mounts express-session before ${name}` });
  }
}
