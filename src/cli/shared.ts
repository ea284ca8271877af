// What the `rules` and `users` commands share: the options every command takes, the router built on the host's
// database (the same `login.rules` / `login.users` as in the app, so the same validation), and how results, errors
// and audit lines are printed. Exit codes: 0 done, 1 refused or failed, 2 the command line itself is wrong.
import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isDatabaseError } from '../db/errors.ts';
import { NotFoundError, RuleValidationError, ConfigError } from '../errors.ts';
import type { AdminActor, AdminChange } from '../events.ts';
import type { AdminApi } from '../admin/api.ts';
import { CliError, openHostDatabase } from './host-database.ts';
import type { CommandIo } from './io.ts';

export { CliError } from './host-database.ts';


/** Options every database command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  schema: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `Common options:
  --json             print the result as JSON (errors too, with exit code 1)
  --config <file>    the Prisma config file (default: prisma.config.ts in this directory)
  --schema <path>    the Prisma schema file or folder (default: the config's, else prisma/schema.prisma)
  -h, --help         show this help

The database is found as Prisma finds it: prisma.config.ts (schema and datasource.url), else DATABASE_URL.
WorkOS calls (deleting MFA factors) use WORKOS_API_KEY and WORKOS_CLIENT_ID when set.`;

/** A command-line mistake: usage is printed and the exit code is 2. */
export class UsageError extends Error {}

/**
 * The subcommand of a command group (`rules`, `users`) with its usage text, or the exit code when there is none to
 * run: the group's summary on `--help` (0) or with no subcommand (2), or an unknown subcommand (2).
 */
export function subcommand(group: string, argv: readonly string[], help: Readonly<Record<string, string>>, summary: string, io: CommandIo): { sub: string; rest: string[]; usage: string } | number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.err : io.out)(summary);
    return sub === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(help, sub)) {
    io.err(`Unknown ${group} command '${sub}'.\n\n${summary}`);
    return 2;
  }
  return { sub, rest, usage: `${help[sub]!}\n\n${COMMON_HELP}` };
}

/** The options every command takes, and a command's own (by name). */
export type ParsedValues = { json?: boolean; help?: boolean; config?: string; schema?: string } & Record<string, string | boolean | undefined>;

export function parse(args: readonly string[], options: ParseArgsConfig['options']): { values: ParsedValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as ParsedValues, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The CLI as an actor of adminChange events: the operating-system user. */
export function cliActor(env: NodeJS.ProcessEnv): AdminActor {
  let name = env.USER ?? env.USERNAME ?? '';
  try {
    name ||= userInfo().username;
  } catch {
    name ||= 'unknown';
  }
  return { type: 'cli', name };
}

/** One audit line per change, on stderr (stdout stays the command's result). */
export function auditLine(change: AdminChange): string {
  const actor = change.actor.type === 'cli' ? `cli:${change.actor.name}` : change.actor.type;
  return `audit: ${change.action} ${change.target.type} #${change.target.id} "${change.target.name}" by ${actor} at ${change.at.toISOString()} ${JSON.stringify({ before: change.before, after: change.after })}`;
}

export interface RunContext {
  /** `login.rules` and `login.users`, as the app has them. */
  api: AdminApi;
  actor: AdminActor;
  io: CommandIo;
  json: boolean;
}

/** Opens the host's database, builds the rules and users API on it, runs `fn`, and always disconnects. */
export async function withLogin(values: { config?: string; schema?: string; json?: boolean }, io: CommandIo, fn: (ctx: RunContext) => Promise<number>): Promise<number> {
  const env = process.env;
  const [db, { headlessAdminApi }] = await Promise.all([openHostDatabase({ cwd: process.cwd(), config: values.config, schema: values.schema, env }), import('../admin/api.ts')]);
  try {
    const api = headlessAdminApi({
      prisma: db.prisma,
      // Not used by these commands (no links are sent), but required.
      baseUrl: env.BASE_URL && /^https?:\/\/[^/]+$/.test(env.BASE_URL) ? env.BASE_URL : 'http://localhost',
      // Names may be usernames or emails.
      emailLookup: true,
      logger: { info() {}, warn: (m) => io.err(`warning: ${m.replace(/^express-workos-login: /, '')}`), error: (m) => io.err(`error: ${m.replace(/^express-workos-login: /, '')}`) },
      workos: {
        ...(env.WORKOS_API_HOSTNAME && { apiHostname: env.WORKOS_API_HOSTNAME }),
        ...(env.WORKOS_API_PORT && { port: Number(env.WORKOS_API_PORT) }),
        ...(env.WORKOS_API_HTTPS && { https: env.WORKOS_API_HTTPS !== 'false' }),
      },
    });
    api.events.on('adminChange', (change) => io.err(auditLine(change)));
    return await fn({ api, actor: cliActor(env), io, json: values.json === true });
  } finally {
    await db.prisma.$disconnect().catch(() => undefined);
  }
}

/** Runs a command body; every failure becomes a clear message and an exit code (never a stack trace). */
export async function guarded(io: CommandIo, json: boolean, usage: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${usage}`);
      return 2;
    }
    const report = (code: string, message: string, issues?: readonly { path: string; message: string }[]) => {
      if (json) io.out(JSON.stringify({ error: { code, message, ...(issues && { issues }) } }, null, 2));
      io.err(`error: ${message}`);
      for (const i of issues ?? []) io.err(`  ${i.path}: ${i.message}`);
      return 1;
    };
    if (err instanceof RuleValidationError) return report(err.code, 'the rule is not valid:', err.issues);
    if (err instanceof NotFoundError) return report(err.code, err.message);
    if (err instanceof CliError) return report('cli', err.message);
    if (err instanceof ConfigError) return report(err.code, err.message);
    if (isDatabaseError(err)) return report('database', `the database refused or could not be reached: ${firstLine(err)}`);
    return report('failed', firstLine(err));
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // Prisma's messages start with where the call was made; the cause is the last line.
  return (lines.length > 1 && /^Invalid `/.test(lines[0]!) ? lines[lines.length - 1] : lines[0]) ?? 'unknown error';
}

/** A positional argument that must be a rule id. */
export function ruleId(text: string | undefined, what = 'rule id'): number {
  if (text === undefined) throw new UsageError(`missing the ${what}`);
  if (!/^\d+$/.test(text)) throw new UsageError(`the ${what} must be a number, not "${text}"`);
  return Number(text);
}
