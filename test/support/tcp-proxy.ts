// A TCP proxy on loopback in front of a shared service (Redis, PostgreSQL, the WorkOS emulator), for fault tests:
// `cut()` drops every connection and refuses new ones, as if the service went down, without touching the service
// other people use; `refuse()` also stops listening (a connection is refused, ECONNREFUSED, as when the service is
// not running); `delay(ms)` holds every chunk, both ways, that long (a slow network or database); `restore()` lets
// connections through again at full speed, on the same port.
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  cut(): void;
  /** Drops every connection and stops listening, so that new connections are refused. */
  refuse(): Promise<void>;
  /** Holds each chunk, in either direction, `ms` before passing it on (0: no delay). */
  delay(ms: number): void;
  /** Resolves once every held chunk has been passed on (or dropped by a cut). */
  drained(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let up = true;
  let delayMs = 0;
  const open = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  /** Passes `from`'s data to `to`, each chunk after the current delay and never before an earlier chunk. */
  const relay = (from: net.Socket, to: net.Socket) => {
    let last = 0;
    from.on('data', (chunk) => {
      if (delayMs === 0 && last <= Date.now()) return void to.write(chunk);
      last = Math.max(last, Date.now() + delayMs);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!to.destroyed) to.write(chunk);
      }, last - Date.now());
      timers.add(timer);
    });
  };

  const server = net.createServer((client) => {
    if (!up) return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', end);
      s.on('close', end);
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    up = false;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const s of open) s.destroy();
    open.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  return {
    port,
    cut,
    async refuse() {
      cut();
      await stopListening();
    },
    delay(ms) {
      delayMs = ms;
    },
    async drained() {
      while (timers.size > 0) await new Promise((r) => setTimeout(r, 50));
    },
    async restore() {
      up = true;
      delayMs = 0;
      if (!server.listening) await listen(port);
    },
    async close() {
      cut();
      await stopListening();
    },
  };
}
