// `npx express-workos-login doctor` names what a host must fix: the one-file config that silently ignores the
// library's models (the Prisma 7 trap), wrong or missing fields, constraints and indexes, a database without the
// tables or without rules, and express-session mounted after the router.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctorCommand } from '../../src/setup/doctor.ts';
import { runInitCommand } from '../../src/setup/init.ts';
import { captureIo, hostProject, prismaInitSchema, prismaOn, type HostProject } from './support.ts';

const projects: HostProject[] = [];
afterEach(() => projects.splice(0).forEach((p) => p.close()));
const project = (files: Record<string, string>) => {
  const p = hostProject(files);
  projects.push(p);
  return p;
};
const library = readFileSync(join(import.meta.dirname, '../../prisma/workos-login.prisma'), 'utf8');

async function doctor(p: HostProject, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const { io, out, err, all } = captureIo();
  const code = await runDoctorCommand(args, io, p.dir, env);
  return { code, out, err, all: all() };
}

describe('doctor', () => {
  it('catches the Prisma 7 trap: a config that reads one file, with workos-login.prisma copied next to it', async () => {
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('sqlite'), 'prisma/workos-login.prisma': library });
    const before = await doctor(p, ['--no-db']);
    expect(before.code).toBe(1);
    expect(before.err).toContain(
      '✗ prisma.config.ts points at the file prisma/schema.prisma, so Prisma ignores prisma/workos-login.prisma: run `npx express-workos-login init` (it switches the config to the folder)',
    );
    expect(before.err).toContain('✗ no User model: run `npx express-workos-login init` (it writes workos-login.prisma with the library\'s models)');

    expect(await runInitCommand([], captureIo().io, p.dir)).toBe(0);
    const after = await doctor(p, ['--no-db']);
    expect(after.out).toContain('✓ schema: the folder prisma (every .prisma file in it)');
    expect(after.out.find((l) => l.startsWith('✓ models: User, Group, LoginRule'))).toBeDefined();
    expect(after.out).toContain('✓ User.id is Int');
    expect(after.code).toBe(0);
  });

  it('checks the database: tables and columns, then the rules', async () => {
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('sqlite') });
    p.linkNodeModules(); // the host's better-sqlite3 (its Prisma adapter's driver)
    expect(await runInitCommand([], captureIo().io, p.dir)).toBe(0);
    const diff = prismaOn(['migrate', 'diff', '--from-empty', '--to-schema', join(p.dir, 'prisma'), '--script']);
    expect(diff.status).toBe(0);
    const sql = diff.stdout;
    p.write('.env', 'DATABASE_URL="file:./dev.db"\n');

    const noDb = await doctor(p);
    expect(noDb.all).toContain('database: not checked: the SQLite file');
    const raw = new Database(join(p.dir, 'dev.db'));
    raw.exec(sql);
    const empty = await doctor(p);
    expect(empty.out).toContain('✓ database: every table and column of the schema exists');
    expect(empty.err).toContain('✗ database: no enabled login rule, so nobody can log in: call `await seedDefaultRule(prisma)` once (exported by express-workos-login)');
    expect(empty.code).toBe(1);

    raw.prepare('INSERT INTO "LoginRule" (name, method, priority, emailRegex, updatedAt) VALUES (?, ?, ?, ?, ?)').run('Username/password login', 'password', 1000, '.*', Date.now());
    const seeded = await doctor(p);
    expect(seeded.out).toContain('✓ database: 1 enabled login rule(s), the default "Username/password login" among them');
    expect(seeded.code).toBe(0);

    raw.exec('ALTER TABLE "User" DROP COLUMN "sessionVersion"');
    raw.close();
    const drifted = await doctor(p, ['--url', 'file:./dev.db'], {});
    expect(drifted.err).toContain('✗ database: User lacks sessionVersion: run `npx prisma migrate dev`');
  }, 30_000);

  it('names wrong id types, missing constraints and indexes', async () => {
    const broken = library
      .replace('  id                  Int                  @id @default(autoincrement())', '  id                  String               @id @default(uuid())')
      .replace('  @@unique([scope, idpId])\n', '')
      .replace('  tokenHash String    @unique\n  expiresAt DateTime\n  usedAt    DateTime?\n  createdAt DateTime  @default(now())\n\n  @@index([userId])', '  tokenHash String    @unique\n  expiresAt DateTime\n  usedAt    DateTime?\n  createdAt DateTime  @default(now())');
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('sqlite'), 'prisma/workos-login.prisma': broken });
    p.write('prisma.config.ts', p.read('prisma.config.ts').replace('"prisma/schema.prisma"', '"prisma"'));
    const result = await doctor(p, ['--no-db']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('✗ MfaFactor.userId is Int; the library needs String (like User.id)');
    expect(result.err).toContain('✗ SsoIdentity needs @@unique([scope, idpId]) (the library relies on it)');
    expect(result.out.find((l) => l.startsWith('! PasswordResetToken has no @@index([userId])'))).toBeDefined();
  });

  it('tells where express-session is mounted after the router, where it is fine, and where it cannot tell', async () => {
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('sqlite') });
    await runInitCommand([], captureIo().io, p.dir);
    p.write('src/wrong.ts', "const login = workosLogin(config);\napp.use('/accounts', login);\napp.use(session(options));\n");
    p.write('src/right.ts', "const login = workosLogin(config);\napp.use(session(options));\napp.use(login.loadUser);\napp.use('/accounts', login);\n");
    p.write('src/elsewhere.js', "const auth = workosLogin(config);\nrouter.use('/accounts', auth);\n");
    const result = await doctor(p, ['--no-db']);
    expect(result.err).toContain('✗ middleware order: src/wrong.ts mounts login before express-session: move app.use(session(…)) above it');
    expect(result.out).toContain('✓ middleware order: src/right.ts mounts express-session before login');
    expect(result.out).toContain('! middleware order: cannot tell in src/elsewhere.js (express-session is set up elsewhere): it must come before app.use(auth)');
    expect(result.code).toBe(1);
  });
});
