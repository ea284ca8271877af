// Does a wrong password tell an attacker that the account exists? For users whose stored hash has cost 4, 8, 10
// and 12 under a configured bcryptCost of 10, the median time of a wrong password over HTTP, as a ratio against
// the baseline measured in the same run: an unknown name (one compare against a dummy at the configured cost).
// A ratio of 1 means the two cannot be told apart. The "bare compare" column is what the answer would cost
// without the top-up (the stored hash's compare alone, against one at the configured cost).
// Run: npm run bench:timing   (about half a minute; BENCH_TRIES=40 for more tries per path)
import bcrypt from 'bcrypt';
import { hashPassword } from '../src/index.ts';
import { createTestApp, csrf, type Agent } from '../test/support/app.ts';

const CONFIGURED = 10;
const STORED = [4, 8, 10, 12];
const TRIES = Number(process.env.BENCH_TRIES ?? 20);
const quiet = { info() {}, warn() {}, error() {} };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const t = await createTestApp({
  config: {
    password: { bcryptCost: CONFIGURED },
    logger: quiet,
    // Every try fails: each one comes from its own client address, and no account reaches the long-run cap.
    rateLimit: { perAccount: { points: 100, durationSeconds: 60 }, perIp: { points: 100, durationSeconds: 60 } },
  },
  configure: (app) => app.set('trust proxy', 'loopback'),
});
try {
  let ip = 0;
  async function timeOnce(agent: Agent, token: string, username: string): Promise<number> {
    ip += 1;
    const start = performance.now();
    const res = await agent
      .post('/accounts/login/')
      .set('X-Forwarded-For', `198.18.${Math.floor(ip / 250)}.${ip % 250}`)
      .type('form')
      .send({ _csrf: token, username, password: 'not the password' });
    const ms = performance.now() - start;
    if (res.status !== 401) throw new Error(`expected 401 for ${username}, got ${res.status}`);
    return ms;
  }

  async function bareCompare(cost: number): Promise<number> {
    const hash = await bcrypt.hash('the password', cost);
    const times: number[] = [];
    for (let i = 0; i < Math.min(TRIES, 10); i++) {
      const start = performance.now();
      await bcrypt.compare('not the password', hash);
      times.push(performance.now() - start);
    }
    return median(times);
  }

  console.log(`wrong password over HTTP, configured bcryptCost ${CONFIGURED}, ${TRIES} tries per path (medians)`);
  interface Path {
    cost: number;
    username: string;
    unknownName: string;
    agent: Agent;
    token: string;
    known: number[];
    unknown: number[];
  }
  const paths: Path[] = [];
  for (const cost of STORED) {
    const username = `stored-${cost}`;
    await t.prisma.user.create({ data: { username, email: `${username}@example.test`, passwordHash: await hashPassword('the password', cost) } });
    const agent = t.agent();
    // Each stored cost has its own unknown name (its baseline), so no name reaches the per-account cap.
    paths.push({ cost, username, unknownName: `nobody-${cost}`, agent, token: await csrf(agent), known: [], unknown: [] });
  }
  // Warm-up: the dummies, compiled paths, database connections.
  for (const p of paths) {
    await timeOnce(p.agent, p.token, p.username);
    await timeOnce(p.agent, p.token, p.unknownName);
  }
  // Interleaved across every path, the order rotating, so that drift in machine load hits them all alike.
  for (let i = 0; i < TRIES; i++) {
    for (let j = 0; j < paths.length; j++) {
      const p = paths[(i + j) % paths.length]!;
      if ((i + j) % 2) {
        p.known.push(await timeOnce(p.agent, p.token, p.username));
        p.unknown.push(await timeOnce(p.agent, p.token, p.unknownName));
      } else {
        p.unknown.push(await timeOnce(p.agent, p.token, p.unknownName));
        p.known.push(await timeOnce(p.agent, p.token, p.username));
      }
    }
  }
  const bareConfigured = await bareCompare(CONFIGURED);
  console.log('  stored cost   known user    unknown name (baseline)   ratio known/unknown   bare compare ratio');
  for (const p of paths) {
    const bare = (await bareCompare(p.cost)) / bareConfigured;
    const k = median(p.known);
    const u = median(p.unknown);
    console.log(
      `  ${String(p.cost).padStart(11)}   ${k.toFixed(1).padStart(7)} ms   ${u.toFixed(1).padStart(9)} ms${' '.repeat(15)}${(k / u).toFixed(3).padStart(7)}${' '.repeat(15)}${bare.toFixed(3).padStart(7)}`,
    );
  }
} finally {
  await t.close();
}
