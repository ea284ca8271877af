// `express-workos-login init`: puts the library's models into the host's Prisma schema folder. A config that points
// at one file (what `prisma init` writes) is switched to its folder, because Prisma ignores every other .prisma file
// then; a host's existing User gets the missing fields; nothing is written when something conflicts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { MODELS_FILE, planInit, type IdKind } from './models.ts';
import { configWithSchemaFolder, libraryModelsText, packageVersion, readProject, schemaFilesIn } from './project.ts';
import { parseOptions, type CommandIo } from '../cli/io.ts';


export const INIT_USAGE = `Usage: express-workos-login init [options]

Adds the express-workos-login models to your Prisma schema folder (run it where prisma.config.ts is).

Options:
  --id <int|uuid|cuid>  id type of a new User model (default int; an existing User keeps its own)
  --dry-run             print what would change, write nothing
  -h, --help            show this help`;

export const NEXT_COMMANDS = ['npx prisma migrate dev --name workos-login', 'npx prisma generate'] as const;

export async function runInitCommand(argv: readonly string[], io: CommandIo, cwd = process.cwd()): Promise<number> {
  const values = parseOptions(argv, { id: { type: 'string', default: 'int' }, 'dry-run': { type: 'boolean' } }, INIT_USAGE, io);
  if (typeof values === 'number') return values;
  if (!['int', 'uuid', 'cuid'].includes(values.id)) {
    io.err(`--id: expected int, uuid or cuid, received '${values.id}'`);
    return 2;
  }
  const project = readProject(resolve(cwd));
  if (!project.configPath) {
    io.err('No Prisma config (prisma.config.ts) here. Run `npx prisma init` first (or run this command in the folder that has it).');
    return 1;
  }
  const shown = (path: string) => relative(cwd, path).split(sep).join('/') || '.';
  const folder = project.schemaIsFolder ? project.schemaPath : dirname(project.schemaPath);
  const newConfig = project.schemaIsFolder ? null : configWithSchemaFolder(project, folder);
  if (!project.schemaIsFolder && newConfig === null) {
    io.err(`Cannot find the schema setting in ${shown(project.configPath)}: set \`schema: "${shown(folder)}"\` (the folder) yourself, then run init again.`);
    return 1;
  }
  const files = schemaFilesIn(folder, project.root);
  const modelsPath = relative(project.root, join(folder, MODELS_FILE)).split(sep).join('/');
  const plan = planInit({ files, library: libraryModelsText(), modelsPath, idKind: values.id as IdKind, version: packageVersion() });
  if (plan.conflicts.length > 0) {
    io.err(`Nothing was written: your schema conflicts with what express-workos-login needs:\n${plan.conflicts.map((c) => `  - ${c}`).join('\n')}`);
    return 1;
  }
  const dry = values['dry-run'] === true;
  for (const write of plan.writes) {
    if (dry) continue;
    const path = join(project.root, write.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, write.text);
  }
  if (newConfig !== null && !dry) writeFileSync(project.configPath, newConfig);
  const verb = dry ? 'would change' : 'changed';
  io.out(`express-workos-login init ${dry ? '(dry run) ' : ''}in ${shown(folder)}:`);
  if (newConfig !== null) io.out(`  ${shown(project.configPath)}: ${verb} schema to the folder "${shown(folder)}" (Prisma reads every .prisma file in it)`);
  for (const line of plan.done) io.out(`  ${line}`);
  io.out('');
  io.out('Next:');
  for (const command of NEXT_COMMANDS) io.out(`  ${command}`);
  return 0;
}
