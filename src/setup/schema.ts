// Just enough of the Prisma schema language for `init` and `doctor`: the models of a set of .prisma files, their
// fields (name, type, modifiers, attributes) and block attributes, with offsets so that fields can be added to a
// host's model without touching the rest of the file. Pure: no file system.

export interface SchemaFile {
  path: string;
  text: string;
}

export interface SchemaField {
  name: string;
  /** The base type: `String`, `Int`, `User`, `Unsupported("…")`. */
  type: string;
  optional: boolean;
  list: boolean;
  /** Everything after the type: `@id @default(uuid()) @map("user_id")`. */
  attributes: string;
}

export interface SchemaModel {
  name: string;
  file: string;
  fields: SchemaField[];
  /** `@@index([email])`, `@@map("users")`, … as written. */
  blockAttributes: string[];
  /** Offset (in its file) just after the last field line: where added fields go. */
  insertAt: number;
}

/** The text with comments blanked out (same length, so offsets stay valid); strings are kept. */
function withoutComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
      if (i < text.length) out += '\n';
    } else out += c;
  }
  return out;
}

/** Index of the `}` that closes the `{` at `open`, skipping strings. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

interface Block {
  kind: string;
  name: string;
  /** Offsets of the body (after `{`, at `}`). */
  bodyStart: number;
  bodyEnd: number;
}

function blocks(text: string): Block[] {
  const clean = withoutComments(text);
  const found: Block[] = [];
  const head = /^[ \t]*(model|enum|view|type|generator|datasource)\s+(\w+)\s*\{/gm;
  let m: RegExpExecArray | null;
  while ((m = head.exec(clean))) {
    const open = m.index + m[0].length - 1;
    const close = closingBrace(clean, open);
    if (close < 0) break;
    found.push({ kind: m[1]!, name: m[2]!, bodyStart: open + 1, bodyEnd: close });
    head.lastIndex = close + 1;
  }
  return found;
}

const FIELD = /^(\w+)\s+(Unsupported\("[^"]*"\)|\w+)(\[\])?(\?)?(.*)$/;

export function parseModels(file: SchemaFile): SchemaModel[] {
  const clean = withoutComments(file.text);
  return blocks(file.text)
    .filter((b) => b.kind === 'model')
    .map((b) => {
      const fields: SchemaField[] = [];
      const blockAttributes: string[] = [];
      let insertAt = b.bodyStart;
      let offset = b.bodyStart;
      for (const rawLine of clean.slice(b.bodyStart, b.bodyEnd).split('\n')) {
        const line = rawLine.trim();
        const lineEnd = offset + rawLine.length;
        offset = lineEnd + 1;
        if (!line) continue;
        if (line.startsWith('@@')) {
          blockAttributes.push(line);
          continue;
        }
        const f = FIELD.exec(line);
        if (!f) continue;
        fields.push({ name: f[1]!, type: f[2]!, list: !!f[3], optional: !!f[4], attributes: f[5]!.trim() });
        insertAt = Math.min(lineEnd + 1, b.bodyEnd);
      }
      return { name: b.name, file: file.path, fields, blockAttributes, insertAt };
    });
}

/** The datasource's provider (`postgresql`, `sqlite`, …) in any of the files, or null. */
export function datasourceProvider(files: readonly SchemaFile[]): string | null {
  for (const file of files) {
    const clean = withoutComments(file.text);
    for (const b of blocks(file.text)) {
      if (b.kind !== 'datasource') continue;
      const m = /provider\s*=\s*"([^"]+)"/.exec(clean.slice(b.bodyStart, b.bodyEnd));
      if (m) return m[1]!;
    }
  }
  return null;
}

/** A field as a schema line, e.g. `  email String @default("")`. */
export function fieldLine(field: SchemaField, nameWidth = 0, typeWidth = 0): string {
  const type = `${field.type}${field.list ? '[]' : ''}${field.optional ? '?' : ''}`;
  return `  ${field.name.padEnd(nameWidth)} ${field.attributes ? `${type.padEnd(typeWidth)} ${field.attributes}` : type}`.trimEnd();
}

/** `@map("…")` of a field or `@@map("…")` of a model, or null. */
export function mappedName(attributes: string, block = false): string | null {
  const m = new RegExp(`${block ? '@@' : '(?<!@)@'}map\\(\\s*(?:name:\\s*)?"([^"]+)"`).exec(attributes);
  return m ? m[1]! : null;
}

export function hasAttribute(field: SchemaField, name: string): boolean {
  return new RegExp(`(?<!@)@${name}\\b`).test(field.attributes);
}

/** The `@db.X(…)` native type attribute of a field, or ''. */
export function nativeType(field: SchemaField): string {
  return /@db\.\w+(\([^)]*\))?/.exec(field.attributes)?.[0] ?? '';
}

export const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
