// One peer's server in a process of its own (started by run.ts with --expose-gc), so that its event-loop delay and
// RSS are the server's alone, not the load generator's: the parent sends the logins over real HTTP on loopback.
// argv: peer (ours | bare), bcrypt cost, user count. Messages from the parent: 'loop-start' (answers ok), 'loop-stop' (answers
// the p99 in ms), 'rss' (collects garbage, answers RSS in bytes), 'close'.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import express from 'express';
import session from 'express-session';
import { workosLogin } from '../src/index.ts';
import { createTestDb } from '../test/support/db.ts';
import { passportApp } from './peers.ts';

const [peer, costArg, usersArg] = process.argv.slice(2);
const cost = Number(costArg);
const users = Number(usersArg);
const PASSWORD = 'correct horse battery';
const quiet = { info() {}, warn() {}, error() {} };

const db = await createTestDb();
const hash = await bcrypt.hash(PASSWORD, cost);
await db.prisma.user.createMany({ data: Array.from({ length: users }, (_, i) => ({ username: `user${i}`, email: `user${i}@example.test`, passwordHash: hash })) });

let app: express.Express;
if (peer === 'ours') {
  // As a host mounts it (the real clock, a MemoryStore like the bare peer's).
  const login = workosLogin({ prisma: db.prisma, baseUrl: 'http://app.test', logger: quiet, password: { bcryptCost: cost } } as never);
  app = express();
  app.use(session({ secret: 'bench-secret-bench-secret-bench!', resave: false, saveUninitialized: false, store: new session.MemoryStore(), cookie: { httpOnly: true, sameSite: 'lax' } }));
  app.use('/accounts', login);
  app.get('/private', login.requireLogin, (req, res) => {
    res.type('text').send(`private for ${(req.user as { username: string }).username}`);
  });
} else {
  app = passportApp(db.prisma);
}

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});

const gc = (globalThis as { gc?: () => void }).gc;
let histogram = monitorEventLoopDelay({ resolution: 1 });
process.on('message', async (msg: string) => {
  if (msg === 'loop-start') {
    histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    process.send!({ ok: true });
  } else if (msg === 'loop-stop') {
    histogram.disable();
    process.send!({ p99: histogram.percentile(99) / 1e6 });
  } else if (msg === 'rss') {
    if (!gc) throw new Error('server-child needs --expose-gc');
    // Several passes with a pause between: finalizers and the session store's timers run in between.
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    process.send!({ rss: process.memoryUsage().rss });
  } else if (msg === 'close') {
    server.close();
    await db.close();
    process.exit(0);
  }
});
