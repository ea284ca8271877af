// The committed migrations, the generated schemas and the library's model file must not drift apart.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without types
import { buildSchema } from '../../scripts/prisma.mjs';
import { buildStringIdSchema } from '../../scripts/string-ids.ts';
import { createTestDb, usingPostgres } from '../support/db.ts';

const root = resolve(import.meta.dirname, '../..');

describe('schema and migrations', () => {
  for (const provider of ['sqlite', 'postgres', 'sqlite-strings', 'postgres-strings'] as const) {
    const strings = provider.endsWith('-strings');
    it(`committed ${provider} schema is the build of ${strings ? 'string-ids/host.prisma + init' : 'workos-login.prisma + example.prisma'}`, () => {
      const committed = readFileSync(resolve(root, `prisma/${provider}/schema.prisma`), 'utf8');
      expect(committed).toBe(strings ? buildStringIdSchema(provider as 'sqlite-strings' | 'postgres-strings') : buildSchema(provider));
    });

    // The PostgreSQL drift check needs a PostgreSQL server: it runs in the PostgreSQL pass of the suite.
    if (provider.startsWith('postgres') && !usingPostgres) continue;
    it(`${provider} migrations match the schema (migrate diff --exit-code)`, () => {
      const env: Record<string, string> = { ...(process.env as Record<string, string>), PRISMA_PROVIDER: provider };
      if (provider.startsWith('postgres')) env.DATABASE_URL = process.env.TEST_DATABASE_URL!;
      else env.DATABASE_URL = 'file::memory:';
      const r = spawnSync(
        process.execPath,
        [
          resolve(root, 'scripts/prisma.mjs'),
          provider,
          'migrate', 'diff', '--from-migrations', `prisma/${provider}/migrations`,
          '--to-schema', `prisma/${provider}/schema.prisma`, '--exit-code',
        ],
        { cwd: root, env, encoding: 'utf8' },
      );
      expect(r.stdout + r.stderr).toContain('No difference detected');
      expect(r.status).toBe(0);
    }, 60_000);
  }

  it('the first migration creates the default password rule', async () => {
    const db = await createTestDb();
    try {
      const rules = await db.prisma.loginRule.findMany();
      expect(rules).toHaveLength(1);
      expect(rules[0]).toMatchObject({ name: 'Username/password login', method: 'password', priority: 1000, emailRegex: '.*' });
    } finally {
      await db.close();
    }
  });
});
