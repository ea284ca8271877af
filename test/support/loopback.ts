// Loopback client addresses for simulated browsers: each gets its own (127.1.0.1, 127.1.0.2, …), as real clients
// have, so per-IP limits see many clients instead of one. Linux routes all of 127.0.0.0/8 to loopback.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

let next = 0;

export function nextLoopbackAddress(): string {
  const n = next++;
  return `127.1.${Math.floor(n / 250)}.${1 + (n % 250)}`;
}

/** A TCP port free on 127.0.0.1 right now, for a child process to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** `handler` (an Express app) served on a port of 127.0.0.1 until `close()`, as a deployed app listens once. */
export async function listenOnLoopback(handler: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
