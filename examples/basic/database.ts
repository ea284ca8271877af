// The demo database: embedded SQLite under examples/basic/data/, created and migrated on start with the
// committed migrations (`prisma migrate deploy`).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../generated/sqlite/client.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export function openDemoDatabase(file = join(here, 'data', 'demo.db')) {
  mkdirSync(dirname(file), { recursive: true });
  const r = spawnSync(process.execPath, [join(root, 'scripts/prisma.mjs'), 'sqlite', 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `file:${file}` },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`could not migrate ${file}:\n${r.stdout}\n${r.stderr}`);
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
}
