// The CLI as a user runs it: a real process in a project directory (this repository: prisma.config.ts, the generated
// client, the adapters) against this test file's real database, found through DATABASE_URL as Prisma finds it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestDb } from '../support/db.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx by path, so that the CLI can run in any directory (a project without it, for the error cases). */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `express-workos-login <args>` on `db` (or with `env` only), in `cwd` (default: this repository), with optional stdin. */
export function cli(db: TestDb | null, args: string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (db) {
    env.DATABASE_URL = db.url;
    env.PRISMA_PROVIDER = db.provider;
  }
  // Not the test runner's own settings.
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli.ts'), ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`express-workos-login ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON a `--json` command printed. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${String(result.code)}):\n${result.stdout}\n${result.stderr}`);
  }
}
