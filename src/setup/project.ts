// A host project as the Prisma CLI sees it: its config file (found as Prisma 7 finds it), the schema it points at
// (one file or a folder), and the .prisma files Prisma reads. Shared by `init` and `doctor`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SchemaFile } from './schema.ts';

const EXTENSIONS = ['.js', '.ts', '.mjs', '.cjs', '.mts', '.cts'];

/** Prisma 7's own search order (@prisma/config): prisma7.config.*, then the legacy prisma.config.* names. */
const CONFIG_CANDIDATES = [
  ...EXTENSIONS.map((e) => `prisma7.config${e}`),
  ...EXTENSIONS.map((e) => join('.config', `prisma7${e}`)),
  ...['prisma.config', join('.config', 'prisma'), join('.config', 'prisma.config')].flatMap((base) => [
    ...EXTENSIONS.map((e) => `${base}${e}`),
    ...EXTENSIONS.map((e) => join(base, `index${e}`)),
  ]),
];

export interface PrismaProject {
  root: string;
  /** The config file, or null when the project has none. */
  configPath: string | null;
  configText: string;
  /** The `schema` setting as written in the config (relative to the config's folder), or null when unset. */
  schemaSetting: string | null;
  /** Where Prisma reads the schema: a file or a folder, absolute. */
  schemaPath: string;
  schemaIsFolder: boolean;
}

export function findPrismaConfig(root: string): string | null {
  for (const candidate of CONFIG_CANDIDATES) {
    const path = resolve(root, candidate);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

const SCHEMA_SETTING = /(\bschema\s*:\s*)(['"`])([^'"`]+)\2/;

export function readProject(root: string): PrismaProject {
  const configPath = findPrismaConfig(root);
  const configText = configPath ? readFileSync(configPath, 'utf8') : '';
  const schemaSetting = SCHEMA_SETTING.exec(configText)?.[3] ?? null;
  const base = configPath ? dirname(configPath) : root;
  // Without a setting Prisma looks for prisma/schema.prisma, then schema.prisma.
  const schemaPath = schemaSetting ? resolve(base, schemaSetting) : existsSync(resolve(root, 'schema.prisma')) && !existsSync(resolve(root, 'prisma/schema.prisma')) ? resolve(root, 'schema.prisma') : resolve(root, 'prisma/schema.prisma');
  const schemaIsFolder = existsSync(schemaPath) && statSync(schemaPath).isDirectory();
  return { root, configPath, configText, schemaSetting, schemaPath, schemaIsFolder };
}

/** The config text with `schema` pointing at `folder` (relative to the config's folder), or null when it cannot tell. */
export function configWithSchemaFolder(project: PrismaProject, folder: string): string | null {
  if (!project.configPath) return null;
  const value = relative(dirname(project.configPath), folder).split(sep).join('/') || '.';
  if (SCHEMA_SETTING.test(project.configText)) return project.configText.replace(SCHEMA_SETTING, (_all, lead: string, quote: string) => `${lead}${quote}${value}${quote}`);
  const open = /defineConfig\(\s*\{/.exec(project.configText);
  if (!open) return null;
  const at = open.index + open[0].length;
  return `${project.configText.slice(0, at)}\n  schema: "${value}",${project.configText.slice(at)}`;
}

/** Every .prisma file under `folder` (as Prisma reads a schema folder), with paths relative to `root`. */
export function schemaFilesIn(folder: string, root: string): SchemaFile[] {
  const files: SchemaFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'migrations') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.prisma')) files.push({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
    }
  };
  if (existsSync(folder)) walk(folder);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The files Prisma reads for this project: the one file, or every file of the folder. */
export function schemaFilesOf(project: PrismaProject): SchemaFile[] {
  if (project.schemaIsFolder) return schemaFilesIn(project.schemaPath, project.root);
  if (!existsSync(project.schemaPath)) return [];
  return [{ path: relative(project.root, project.schemaPath).split(sep).join('/'), text: readFileSync(project.schemaPath, 'utf8') }];
}

/** The package's own files (the shipped models, its version), next to dist/ or src/. */
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export function libraryModelsText(): string {
  return readFileSync(join(packageRoot, 'prisma/workos-login.prisma'), 'utf8');
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
