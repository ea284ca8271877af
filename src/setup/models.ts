// What the library needs of a host's schema, and how to write its models for that host: `init` writes them, `doctor`
// checks them. The library's models are prisma/workos-login.prisma; a host whose `User` already exists keeps its own
// model (its id type, table and column names) and gets the missing fields added to it; the other models follow the
// host's id type in their `userId` columns. Pure: text in, text out.
import { fieldLine, hasAttribute, mappedName, nativeType, parseModels, snakeCase, type SchemaField, type SchemaFile, type SchemaModel } from './schema.ts';

export type IdKind = 'int' | 'uuid' | 'cuid';

/** The file `init` writes into the host's schema folder. */
export const MODELS_FILE = 'workos-login.prisma';

/** Fields the library writes on every user it creates (JIT): a host field may have them required without a default. */
const ALWAYS_WRITTEN = new Set(['username', 'email', 'firstName', 'lastName']);

/** Models the library can do without (a feature is off, with a clear error, when one is missing). */
export const OPTIONAL_MODELS: Readonly<Record<string, string>> = {
  MagicLinkToken: 'the "local" magic-link provider',
  RateLimiterFlexible: 'rateLimit.store "database"',
};

export interface LibraryModels {
  /** The library's models, the User model included. */
  models: SchemaModel[];
  user: SchemaModel;
}

export function libraryModels(libraryText: string): LibraryModels {
  const models = parseModels({ path: MODELS_FILE, text: libraryText });
  const user = models.find((m) => m.name === 'User');
  if (!user) throw new Error('prisma/workos-login.prisma has no User model');
  return { models, user };
}

/** The host's `User.id`: its Prisma type and native type attribute (e.g. `@db.Uuid`). */
export interface HostId {
  type: 'Int' | 'String';
  native: string;
}

const ID_FIELDS: Record<IdKind, string> = {
  int: 'Int @id @default(autoincrement())',
  uuid: 'String @id @default(uuid())',
  cuid: 'String @id @default(cuid())',
};

/** Why a host field cannot serve as the library's, or null when it can. */
export function fieldProblem(model: string, lib: SchemaField, host: SchemaField): string | null {
  const name = `${model}.${lib.name}`;
  const want = `${lib.type}${lib.list ? '[]' : ''}${lib.optional ? '?' : ''}`;
  const have = `${host.type}${host.list ? '[]' : ''}${host.optional ? '?' : ''}`;
  if (host.type !== lib.type || host.list !== lib.list) return `${name} is ${have}; the library needs ${want}`;
  if (!lib.optional && host.optional) return `${name} is optional (${have}); the library needs ${want}`;
  if (lib.optional && !host.optional && !hasAttribute(host, 'default')) return `${name} is required (${have}); the library writes users without it, so it must be optional (${want})`;
  if (hasAttribute(lib, 'unique') && !hasAttribute(host, 'unique') && !hasAttribute(host, 'id')) return `${name} must be @unique`;
  if (!lib.optional && !lib.list && hasAttribute(lib, 'default') && !hasAttribute(host, 'default') && !ALWAYS_WRITTEN.has(lib.name) && !isRelation(lib)) {
    return `${name} needs a default (${lib.attributes.match(/@default\([^)]*\)*/)?.[0] ?? '@default(…)'}): the library creates users without it`;
  }
  return null;
}

const isRelation = (field: SchemaField) => /^[A-Z]/.test(field.type) && !['String', 'Int', 'Boolean', 'DateTime', 'BigInt', 'Float', 'Decimal', 'Json', 'Bytes'].includes(field.type);

export function hostIdOf(user: SchemaModel): HostId | string {
  const id = user.fields.find((f) => f.name === 'id');
  if (!id || !hasAttribute(id, 'id')) return 'User must have its primary key in a field named `id` (keep your column name with @map("…"))';
  if (id.type !== 'Int' && id.type !== 'String') return `User.id is ${id.type}; the library supports Int and String (uuid, cuid) ids`;
  return { type: id.type, native: nativeType(id) };
}

/** Does the host map its columns to snake_case names? Then added fields get `@map("snake_case")` too. */
function usesSnakeCase(user: SchemaModel): boolean {
  return user.fields.some((f) => {
    const mapped = mappedName(f.attributes);
    return mapped !== null && mapped !== f.name && mapped === snakeCase(f.name);
  });
}

/** The library's models other than User, for a host whose `User.id` is `id`, as schema text. */
export function companionModels(libraryText: string, id: HostId): string {
  const start = libraryText.indexOf('model User {');
  const end = libraryText.indexOf('\n}\n', start) + 3;
  const rest = libraryText.slice(end).replace(/^\n+/, '');
  return retypeUserIds(rest, id);
}

/** `userId Int` → the host's id type (relation scalars only; `ruleId` and others stay). */
export function retypeUserIds(text: string, id: HostId): string {
  return text.replace(/^(\s+userId\s+)Int(\?)?([ \t]*)(.*)$/gm, (_all, lead: string, opt: string | undefined, space: string, rest: string) => {
    const type = `${id.type}${opt ?? ''}`;
    const attrs = [rest.trim(), id.native].filter(Boolean).join(' ');
    return `${lead}${type}${attrs ? `${space || ' '}${attrs}` : ''}`.replace(/\s+$/, '');
  });
}

export interface InitPlan {
  /** Files to write (whole new text). */
  writes: SchemaFile[];
  /** What was done, one line each, for the command's output. */
  done: string[];
  /** Why nothing can be written (a host model the library cannot use as is). */
  conflicts: string[];
}

export interface InitInput {
  /** Every .prisma file of the host's schema folder. */
  files: readonly SchemaFile[];
  /** prisma/workos-login.prisma as shipped. */
  library: string;
  /** Where the models file goes (the schema folder). */
  modelsPath: string;
  /** The id type for a new User model (ignored when the host has one). */
  idKind?: IdKind;
  /** The package's version, for the written file's header. */
  version: string;
}

export function planInit(input: InitInput): InitPlan {
  const lib = libraryModels(input.library);
  const ours = input.files.find((f) => f.path === input.modelsPath);
  const hostFiles = input.files.filter((f) => f.path !== input.modelsPath);
  const hostModels = hostFiles.flatMap((f) => parseModels(f));
  const conflicts: string[] = [];
  const done: string[] = [];
  const writes: SchemaFile[] = [];
  const header = `// express-workos-login ${input.version}: its models, written by \`npx express-workos-login init\`. Prisma reads every .prisma\n// file of the schema folder. Keep the model and field names (map tables and columns with @@map / @map if you like).\n`;

  for (const model of lib.models) {
    if (model.name === 'User') continue;
    const clash = hostModels.find((m) => m.name === model.name);
    if (clash) conflicts.push(`your schema (${clash.file}) already has a model ${model.name}, which the library needs for itself; rename yours (keep its table with @@map) and run init again`);
  }
  const hostUser = hostModels.find((m) => m.name === 'User');
  let text: string;
  if (!hostUser) {
    const idLine = `  id                  ${ID_FIELDS[input.idKind ?? 'int']}`;
    const library = input.library.replace(/^ {2}id\s+Int\s+@id @default\(autoincrement\(\)\)$/m, idLine);
    const id: HostId = { type: input.idKind === 'uuid' || input.idKind === 'cuid' ? 'String' : 'Int', native: '' };
    text = retypeUserIds(stripHeader(library), id);
    done.push(`User: a new model with ${id.type} ids (${input.idKind ?? 'int'}); add your own fields below its marked line`);
  } else {
    const id = hostIdOf(hostUser);
    if (typeof id === 'string') conflicts.push(id);
    const added: SchemaField[] = [];
    for (const field of lib.user.fields) {
      if (field.name === 'id') continue;
      const existing = hostUser.fields.find((f) => f.name === field.name);
      if (!existing) added.push(field);
      else {
        const problem = fieldProblem('User', field, existing);
        if (problem) conflicts.push(problem);
      }
    }
    if (conflicts.length > 0) return { writes: [], done: [], conflicts };
    const hostId = id as HostId;
    const snake = usesSnakeCase(hostUser);
    const email = hostUser.fields.find((f) => f.name === 'email');
    const emailIndexed =
      (email && (hasAttribute(email, 'unique') || hasAttribute(email, 'id'))) || hostUser.blockAttributes.some((a) => /^@@(index|unique)\(\s*(fields:\s*)?\[\s*email\s*[\],(]/.test(a));
    const lines = added.map((f) => {
      const mapped = snake && !isRelation(f) && !f.list && snakeCase(f.name) !== f.name;
      const attrs = mapped ? [f.attributes, `@map("${snakeCase(f.name)}")`].filter(Boolean).join(' ') : f.attributes;
      return fieldLine({ ...f, attributes: attrs }, 19, 20);
    });
    if (!emailIndexed) lines.push('', '  @@index([email])');
    if (lines.length > 0) {
      const file = hostFiles.find((f) => f.path === hostUser.file)!;
      const insert = `  // express-workos-login (added by \`npx express-workos-login init\`)\n${lines.join('\n')}\n`;
      const updated = file.text.slice(0, hostUser.insertAt) + insert + file.text.slice(hostUser.insertAt);
      writes.push({ path: file.path, text: updated });
      const names = added.map((f) => f.name);
      done.push(`User (${file.path}): added ${names.length > 0 ? names.join(', ') : 'nothing'}${emailIndexed ? '' : `${names.length > 0 ? ' and ' : ''}an index on email`}`);
    } else done.push(`User (${hostUser.file}): has every field the library needs`);
    text = companionModels(stripHeader(input.library), hostId);
    if (hostId.type === 'String') done.push(`userId columns are ${hostId.type}${hostId.native ? ` ${hostId.native}` : ''}, like your User.id`);
  }
  if (conflicts.length > 0) return { writes: [], done: [], conflicts };
  const content = `${header}\n${text.replace(/^\n+/, '')}`;
  if (ours?.text === content) done.push(`${input.modelsPath}: up to date`);
  else {
    writes.push({ path: input.modelsPath, text: content });
    done.push(`${input.modelsPath}: ${ours ? 'updated' : 'written'} (${lib.models.filter((m) => m.name !== 'User' || !hostUser).map((m) => m.name).join(', ')})`);
  }
  return { writes, done, conflicts };
}

/** The shipped file without its leading comment (the written file has its own header). */
function stripHeader(text: string): string {
  return text.replace(/^(\/\/.*\n)+\n?/, '');
}
