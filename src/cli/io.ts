// What every command of the CLI shares and nothing else: where it writes, and how it reads its options. A leaf
// module, so that the emulator and setup commands can use it without loading the database commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<T extends Options> = ReturnType<typeof parseArgs<{ options: T & { help: { type: 'boolean'; short: 'h' } }; strict: true; allowPositionals: false }>>['values'];

/**
 * A command's options (no positionals), or its exit code when there is nothing to run: 0 after printing `usage` for
 * `--help`, 2 after printing the parse error and `usage`.
 */
export function parseOptions<T extends Options>(argv: readonly string[], options: T, usage: string, io: CommandIo): Values<T> | number {
  let values: Values<T>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } as const }, strict: true, allowPositionals: false }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if ((values as { help?: boolean }).help) {
    io.out(usage);
    return 0;
  }
  return values;
}
