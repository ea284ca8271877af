// The package bin as a user runs it: `express-workos-login emulator …` prints its URL and credentials,
// serves the SDK, and stops on a signal; an unknown command prints usage and exits 2.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkOS } from '@workos-inc/node';
import { afterAll, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

/** `npx tsx src/cli.ts …`, as a user runs it; `viaNode` skips npx's start-up where only the exit status matters. */
function run(args: string[], viaNode = false): ChildProcess {
  const [command, prefix] = viaNode ? [process.execPath, ['--import', 'tsx']] : ['npx', ['tsx']];
  // Own process group, so the whole npx → tsx → node chain can be stopped together.
  const child = spawn(command, [...prefix, 'src/cli.ts', ...args], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

afterAll(() => children.forEach(stop));

function outputUntil(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}:\n${out}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

// Concurrent: each spawn mostly waits for npx and tsx to start.
it.concurrent('emulator --port 0 prints the actual URL, API key and client id, and serves the SDK', async ({ expect }) => {
  const child = run(['emulator', '--port', '0', '--directory', 'emulator/demo-directory.json']);
  const out = await outputUntil(child, /Client ID: \S+/);
  const url = /listening at (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
  expect(url).not.toBeNull();
  expect(Number(url![2])).toBeGreaterThan(0);
  expect(out).toContain('API key:   sk_test_emulator');
  expect(out).toContain('Client ID: client_emulator');

  const home = await fetch(`${url![1]}/`);
  expect(await home.text()).toContain('conn_foo_corp_saml');
  const workos = new WorkOS('sk_test_emulator', { apiHostname: '127.0.0.1', https: false, port: Number(url![2]) });
  const factor = await workos.mfa.enrollFactor({ type: 'totp', issuer: 'CLI', user: 'cli@example.org' });
  expect(factor.totp?.secret).toMatch(/^[A-Z2-7]{32}$/);

  const exited = exitOf(child);
  stop(child);
  await exited;
  await expect(fetch(`${url![1]}/`)).rejects.toThrow();
});

it.concurrent('an unknown command prints usage and exits 2', async ({ expect }) => {
  const result = await exitOf(run(['frobnicate'], true));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("Unknown command 'frobnicate'");
  expect(result.stderr).toContain('Usage: express-workos-login <command>');
  expect(result.stderr).toContain('emulator');
});
