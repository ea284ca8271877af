#!/usr/bin/env node
// The package's command line. Each subcommand is one entry in COMMANDS, so adding one is one line here
// plus its own module, imported only when that command runs to keep start-up fast.

interface Command {
  summary: string;
  run(args: readonly string[]): Promise<number>;
}

const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

/** Resolves on Ctrl-C or a termination signal, so long-running commands can shut down cleanly. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

const COMMANDS: Record<string, Command> = {
  init: {
    summary: "add the library's models to your Prisma schema folder",
    run: async (args) => (await import('./setup/init.ts')).runInitCommand(args, io),
  },
  doctor: {
    summary: 'check your schema, database and set-up',
    run: async (args) => (await import('./setup/doctor.ts')).runDoctorCommand(args, io),
  },
  emulator: {
    summary: 'run a local WorkOS emulator',
    run: async (args) => (await import('./emulator/command.ts')).runEmulatorCommand(args, io, interrupted()),
  },
  rules: {
    summary: 'list, show, add, edit, delete, move, export, import, explain and preview login rules',
    run: async (args) => (await import('./cli/rules.ts')).runRulesCommand(args, io),
  },
  users: {
    summary: "show a user; reset their MFA, unlink an SSO identity, end their sessions, (de)activate them",
    run: async (args) => (await import('./cli/users.ts')).runUsersCommand(args, io),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: express-workos-login <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "express-workos-login <command> --help" for a command's options.`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`Unknown command '${name}'.\n\n${usage()}`);
    return 2;
  }
  return command.run(args);
}

process.exitCode = await main(process.argv.slice(2));
