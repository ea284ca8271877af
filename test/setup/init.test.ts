// `npx express-workos-login init` on the projects users have: fresh from `prisma init` (one schema file, no User),
// and with a User of their own (uuid ids, native types, mapped names). Prisma then validates what it wrote.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blocksFor, flat } from '../docs/support.ts';
import { NEXT_COMMANDS, runInitCommand } from '../../src/setup/init.ts';
import { captureIo, hostProject, prismaInitSchema, prismaOn, type HostProject } from './support.ts';

const projects: HostProject[] = [];
afterEach(() => projects.splice(0).forEach((p) => p.close()));
const project = (files: Record<string, string>, configName?: string) => {
  const p = hostProject(files, configName);
  projects.push(p);
  return p;
};

const HOST_USER = `
model User {
  id        String   @id @default(uuid()) @db.Uuid
  email     String   @unique @map("email_address")
  name      String?
  createdAt DateTime @default(now()) @map("created_at")
  posts     Post[]

  @@map("users")
}

model Post {
  id       Int    @id @default(autoincrement())
  authorId String @db.Uuid
  author   User   @relation(fields: [authorId], references: [id])
}
`;

describe('init on a project fresh from `prisma init`', () => {
  it('switches the config to the schema folder, writes the models, prints the next two commands, and Prisma accepts the result', async () => {
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('sqlite') });
    const { io, out, err } = captureIo();
    expect(await runInitCommand([], io, p.dir)).toBe(0);
    expect(err).toEqual([]);
    expect(p.read('prisma.config.ts')).toContain('schema: "prisma",');
    expect(p.read('prisma.config.ts')).not.toContain('prisma/schema.prisma');
    const models = p.read('prisma/workos-login.prisma');
    expect(models).toMatch(/^\/\/ express-workos-login \d+\.\d+\.\d+: its models, written by `npx express-workos-login init`/);
    expect(models).toContain('  id                  Int @id @default(autoincrement())');
    expect(models).toContain('model RateLimiterFlexible {');
    expect(out).toContain('  prisma.config.ts: changed schema to the folder "prisma" (Prisma reads every .prisma file in it)');
    expect(out.slice(-3)).toEqual(['Next:', ...NEXT_COMMANDS.map((c) => `  ${c}`)]);
    expect(NEXT_COMMANDS).toEqual(['npx prisma migrate dev --name workos-login', 'npx prisma generate']);

    const validated = prismaOn(['validate', '--schema', join(p.dir, 'prisma')]);
    expect(validated.output).toMatch(/are valid/);
    expect(validated.status).toBe(0);

    // A second run changes nothing.
    const again = captureIo();
    expect(await runInitCommand([], again.io, p.dir)).toBe(0);
    expect(again.out).toContain('  prisma/workos-login.prisma: up to date');
    expect(p.read('prisma/workos-login.prisma')).toBe(models);
  }, 30_000);

  it('--id uuid gives a new User string ids, and every userId follows; --dry-run writes nothing', async () => {
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('postgresql') }, 'prisma7.config.ts');
    const dry = captureIo();
    expect(await runInitCommand(['--id', 'uuid', '--dry-run'], dry.io, p.dir)).toBe(0);
    expect(dry.out[0]).toBe('express-workos-login init (dry run) in prisma:');
    expect(p.read('prisma7.config.ts')).toContain('schema: "prisma/schema.prisma"');
    expect(() => p.read('prisma/workos-login.prisma')).toThrow();

    expect(await runInitCommand(['--id', 'uuid'], captureIo().io, p.dir)).toBe(0);
    const models = p.read('prisma/workos-login.prisma');
    expect(models).toContain('  id                  String @id @default(uuid())');
    expect(models.match(/^\s+userId\s+(\w+)/gm)!.map((l) => l.trim().split(/\s+/)[1])).toEqual(Array(5).fill('String'));
    expect(models).toContain('  ruleId    Int?');
    expect(p.read('prisma7.config.ts')).toContain('schema: "prisma",');
  });

  it('adds the missing fields to an existing User (uuid, @db.Uuid, mapped) and types userId like its id', async () => {
    const p = project({ 'prisma/schema.prisma': prismaInitSchema('postgresql') + HOST_USER });
    const { io, out } = captureIo();
    expect(await runInitCommand([], io, p.dir)).toBe(0);
    const schema = p.read('prisma/schema.prisma');
    expect(schema).toContain('  username            String               @unique\n');
    expect(schema).toContain('  passwordHash        String?              @map("password_hash")');
    expect(schema).toContain('  sessionVersion      Int                  @default(0) @map("session_version")');
    expect(schema).toContain('  mfaFactors          MfaFactor[]');
    expect(schema).not.toContain('@@index([email])'); // email is @unique already
    expect(schema).toContain('  @@map("users")');
    expect(schema).toContain('  authorId String @db.Uuid'); // the host's own models are left alone
    const models = p.read('prisma/workos-login.prisma');
    expect(models).not.toContain('model User {');
    expect(models.match(/^\s+userId\s+.*$/gm)!.every((l) => /userId\s+String @db\.Uuid$/.test(l))).toBe(true);
    expect(out).toContain('  userId columns are String @db.Uuid, like your User.id');

    const validated = prismaOn(['validate', '--schema', join(p.dir, 'prisma')]);
    expect(validated.output).toMatch(/are valid/);
  }, 30_000);

  it('refuses, writing nothing, when the host schema conflicts', async () => {
    const conflicting = prismaInitSchema('postgresql') + HOST_USER.replace('email     String   @unique', 'email     String?  @unique') + '\nmodel Group {\n  id Int @id\n}\n';
    const p = project({ 'prisma/schema.prisma': conflicting });
    const { io, err } = captureIo();
    expect(await runInitCommand([], io, p.dir)).toBe(1);
    expect(err.join('\n')).toContain('Nothing was written');
    expect(err.join('\n')).toContain('User.email is optional (String?); the library needs String');
    expect(err.join('\n')).toContain('already has a model Group');
    expect(p.read('prisma/schema.prisma')).toBe(conflicting);
    expect(p.read('prisma.config.ts')).toContain('schema: "prisma/schema.prisma"');
  });

  it('says what to do without a Prisma config, and names bad options', async () => {
    const p = project({});
    const { rmSync } = await import('node:fs');
    rmSync(join(p.dir, 'prisma.config.ts'));
    const { io, err } = captureIo();
    expect(await runInitCommand([], io, p.dir)).toBe(1);
    expect(err[0]).toContain('Run `npx prisma init` first');
    const bad = captureIo();
    expect(await runInitCommand(['--id', 'bigint'], bad.io, p.dir)).toBe(2);
    expect(bad.err[0]).toBe("--id: expected int, uuid or cuid, received 'bigint'");
  });
});

describe('docs/prisma.md', () => {
  const fixture = join(import.meta.dirname, '../package/host');

  it('the init transcript is what init prints on the package test\'s host', async () => {
    const [block, ...others] = blocksFor('initCli');
    expect(others).toEqual([]);
    const [command, ...expected] = block!.code.split('\n');
    expect(command).toBe('$ npx express-workos-login init');
    const dir = mkdtempSync(join(tmpdir(), 'ewl-doc-host-'));
    try {
      cpSync(fixture, dir, { recursive: true });
      const { io, out, err } = captureIo();
      expect(await runInitCommand([], io, dir)).toBe(0);
      expect(err).toEqual([]);
      expect(out.flatMap((l) => l.split('\n'))).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('its schema blocks are slices of that host\'s schema', () => {
    const schema = flat(readFileSync(join(fixture, 'prisma/schema.prisma'), 'utf8'));
    const blocks = blocksFor('prismaSchema');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(schema, `${block.file}:${block.line}`).toContain(flat(block.code));
  });
});

