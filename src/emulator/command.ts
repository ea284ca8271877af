// `express-workos-login emulator`: runs the emulator until interrupted and prints how to reach it.
import { EmulatorConfigError } from './errors.ts';
import { createWorkOSEmulator, DEMO_DIRECTORY } from './index.ts';
import { parseOptions, type CommandIo } from '../cli/io.ts';

export const EMULATOR_USAGE = `Usage: express-workos-login emulator [options]

Runs a local WorkOS emulator for development and tests.

Options:
  --port <n>            port to listen on (default 4100; 0 picks a free port)
  --host <host>         interface to listen on (default 127.0.0.1)
  --directory <file>    JSON directory of clients, organizations, connections and users
                        (default: the demo directory shipped with the package)
  --api-key <key>       API key the emulator accepts (replaces the first client's)
  --client-id <id>      client id the emulator accepts (replaces the first client's)
  --redirect-uri <uri>  allow-listed redirect URI (repeatable; replaces the first client's)
  -h, --help            show this help`;


/** Starts the emulator; resolves to an exit code once it has stopped (or failed to start). */
export async function runEmulatorCommand(argv: readonly string[], io: CommandIo, stop: Promise<unknown>): Promise<number> {
  const values = parseOptions(
    argv,
    {
      port: { type: 'string', default: '4100' },
      host: { type: 'string', default: '127.0.0.1' },
      directory: { type: 'string' },
      'api-key': { type: 'string' },
      'client-id': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
    },
    EMULATOR_USAGE,
    io,
  );
  if (typeof values === 'number') return values;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err(`--port: expected an integer from 0 to 65535, received '${values.port}'`);
    return 2;
  }
  let emulator;
  try {
    emulator = await createWorkOSEmulator({
      port,
      host: values.host,
      directory: values.directory ?? DEMO_DIRECTORY,
      ...(values['api-key'] !== undefined && { apiKey: values['api-key'] }),
      ...(values['client-id'] !== undefined && { clientId: values['client-id'] }),
      ...(values['redirect-uri'] !== undefined && { redirectUris: values['redirect-uri'] }),
    });
  } catch (error) {
    io.err(error instanceof EmulatorConfigError ? error.message : `Cannot start the emulator: ${(error as Error).message}`);
    return 1;
  }
  const { apiHostname } = emulator.sdkOptions;
  io.out(`WorkOS emulator listening at ${emulator.url}`);
  io.out(`  API key:   ${emulator.apiKey}`);
  io.out(`  Client ID: ${emulator.clientId}`);
  io.out(`  SDK:       new WorkOS('${emulator.apiKey}', { apiHostname: '${apiHostname}', https: false, port: ${emulator.port} })`);
  io.out(`  Mock IdP:  ${emulator.url}/_emulator/idp   Outbox: ${emulator.url}/_emulator/outbox.html`);
  io.out(`  Requests:  ${emulator.url}/_emulator/requests.html   Directory Sync: ${emulator.url}/_emulator/directory`);
  await stop;
  await emulator.close();
  return 0;
}
