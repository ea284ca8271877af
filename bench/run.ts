// `npm run bench`: every figure of issue 12 next to a baseline measured in the same run, as
//   figure | target | measured | baseline | ratio
// Targets are checked by eye (speed is measured, not asserted in tests). Sizes shrink with BENCH_QUICK=1 (the
// figures are then indicative only); TEST_DATABASE_URL=postgresql://… runs the database parts on PostgreSQL.
// Only servers started here, in process, are hit; every loop is bounded in count.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import supertest from 'supertest';
import type { Express } from 'express';
import { createTestApp, createUser, csrfFrom, type TestApp } from '../test/support/app.ts';
import { usingPostgres } from '../test/support/db.ts';
import { nunjucksApp, passportApp } from './peers.ts';
import { redosBench } from './redos.ts';
import { ruleScaleBench } from './rule-scale.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const quiet = { info() {}, warn() {}, error() {} };
const PASSWORD = 'correct horse battery';
const rows: string[][] = [];

export function report(figure: string, target: string, measured: string, baseline: string, ratio: number): void {
  rows.push([figure, target, measured, baseline, ratio.toFixed(2)]);
  console.log(`  ${figure}: ${measured} vs baseline ${baseline} -> ratio ${ratio.toFixed(2)} (target ${target})`);
}

type Agent = ReturnType<typeof supertest.agent>;
interface Peer {
  name: string;
  agent(): Agent;
  loginPath: string;
  privatePath: string;
}

async function fullLogin(peer: Peer, username: string): Promise<void> {
  const agent = peer.agent();
  const form = await agent.get(peer.loginPath);
  const token = csrfFrom(form.text);
  const step1 = await agent.post(peer.loginPath).type('form').send({ _csrf: token, username });
  if (step1.status !== 200) throw new Error(`${peer.name}: step 1 gave ${step1.status}`);
  const done = await agent.post(peer.loginPath).type('form').send({ _csrf: token, username, password: PASSWORD });
  if (done.status !== 303) throw new Error(`${peer.name}: password step gave ${done.status}`);
  const page = await agent.get(peer.privatePath);
  if (page.status !== 200) throw new Error(`${peer.name}: protected page gave ${page.status}`);
}

async function step1(peer: Peer, username: string): Promise<void> {
  const agent = peer.agent();
  const form = await agent.get(peer.loginPath);
  const res = await agent.post(peer.loginPath).type('form').send({ _csrf: csrfFrom(form.text), username });
  if (res.status !== 200) throw new Error(`${peer.name}: step 1 gave ${res.status}`);
}

/** Logins per second, sequential, in interleaved rounds (so load from elsewhere hits both alike). */
async function rate(peers: Peer[], n: number, rounds: number, fn: (p: Peer, i: number) => Promise<void>): Promise<number[]> {
  const total = peers.map(() => 0);
  for (const [k, p] of peers.entries()) for (let i = 0; i < 3; i++) await fn(p, i); // warm up
  for (let r = 0; r < rounds; r++) {
    for (const [k, p] of peers.entries()) {
      const start = performance.now();
      for (let i = 0; i < n; i++) await fn(p, i);
      total[k]! += performance.now() - start;
    }
  }
  return total.map((ms) => (n * rounds * 1000) / ms);
}

/** Event-loop delay p99 (ms) while `concurrent` logins run at once. */
async function loopDelayP99(peer: Peer, concurrent: number, users: number): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await Promise.all(Array.from({ length: concurrent }, (_, i) => fullLogin(peer, `user${i % users}`)));
  h.disable();
  return h.percentile(99) / 1e6;
}

async function rssGrowthMb(peer: Peer, n: number, users: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 200; i++) await fullLogin(peer, `user${i % users}`);
  gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < n; i++) await fullLogin(peer, `user${i % users}`);
  gc?.();
  return (process.memoryUsage().rss - before) / 1024 / 1024;
}

function peersFor(t: TestApp): [Peer, Peer] {
  const ours: Peer = { name: 'express-workos-login', agent: () => t.agent() as unknown as Agent, loginPath: '/accounts/login/', privatePath: '/private' };
  const app: Express = passportApp(t.prisma);
  const bare: Peer = { name: 'passport-local', agent: () => supertest.agent(app), loginPath: '/login', privatePath: '/private' };
  return [ours, bare];
}

async function loginApp(cost: number, users: number): Promise<TestApp> {
  const t = await createTestApp({ config: { password: { bcryptCost: cost }, logger: quiet } });
  for (let i = 0; i < users; i++) await createUser(t.prisma, { username: `user${i}`, email: `user${i}@example.test` });
  // Hashes at the configured cost, so no login pays for a rehash.
  await t.prisma.user.updateMany({ data: { passwordHash: await bcrypt.hash(PASSWORD, cost) } });
  return t;
}

console.log(`express-workos-login benchmarks on ${usingPostgres ? 'PostgreSQL' : 'SQLite'}${QUICK ? ' (BENCH_QUICK: indicative only)' : ''}`);

console.log('1. rule resolution p50 (baseline: reading the user, which a login does anyway)');
for (const [rules, users, target] of [
  [100, 10_000, 1],
  [1000, 100_000, 5],
] as const) {
  const r = await ruleScaleBench(QUICK ? rules : rules, QUICK ? users / 10 : users, QUICK ? 100 : 400, quiet);
  report(`rule resolution p50, ${rules} rules (${r.lookups} lookup) / ${r.users} users`, `<= ${target} ms`, `${r.p50.toFixed(3)} ms`, `${r.baselineP50.toFixed(3)} ms`, r.p50 / r.baselineP50);
  report(`  queries per resolution, same set`, '<= 1 + relations', String(r.queries), '—', r.queries);
  report(`  resolution p50 at the user's next read (relation rows remembered)`, `<= ${target} ms`, `${r.warmP50.toFixed(3)} ms`, `${r.baselineP50.toFixed(3)} ms`, r.warmP50 / r.baselineP50);
  report(`  statements of that read and resolution together`, '1', String(r.warmQueries), '—', r.warmQueries);
}

for (const cost of [4, 10]) {
  const t = await loginApp(cost, 50);
  try {
    const [ours, bare] = peersFor(t);
    console.log(`2. full login (4 requests), bcrypt ${cost}`);
    const n = QUICK ? (cost === 4 ? 40 : 10) : cost === 4 ? 200 : 40;
    const [a, b] = await rate([ours, bare], n, 3, (p, i) => fullLogin(p, `user${i % 50}`));
    report(`logins/s, bcrypt ${cost}`, cost === 4 ? '>= 0.8x' : '>= 0.95x', `${a!.toFixed(1)}/s`, `${b!.toFixed(1)}/s`, a! / b!);
    if (cost === 4) {
      console.log('3. step 1 (GET form + POST username) against a bare Nunjucks page of the same size');
      const size = (await t.agent().get('/accounts/login/')).text.length;
      const nj = nunjucksApp(size);
      const page: Peer = { name: 'nunjucks page', agent: () => supertest.agent(nj), loginPath: '/login', privatePath: '/login' };
      const [s1, s0] = await rate([ours, page], QUICK ? 50 : 300, 3, (p, i) => step1(p, `user${i % 50}`));
      report(`step 1/s (login page ${size} chars)`, '>= 0.8x', `${s1!.toFixed(1)}/s`, `${s0!.toFixed(1)}/s`, s1! / s0!);
      console.log('5. RSS growth after warm-up');
      const logins = QUICK ? 1000 : 10_000;
      const ourGrowth = await rssGrowthMb(ours, logins, 50);
      const bareGrowth = await rssGrowthMb(bare, logins, 50);
      report(`RSS growth over ${logins} logins (bcrypt 4)`, '< 20 MB', `${ourGrowth.toFixed(1)} MB`, `${bareGrowth.toFixed(1)} MB`, ourGrowth / Math.max(bareGrowth, 0.1));
    } else {
      console.log('4. event-loop delay p99, 50 concurrent logins');
      await loopDelayP99(bare, 10, 50); // warm up both
      await loopDelayP99(ours, 10, 50);
      const p99 = await loopDelayP99(ours, 50, 50);
      const base = await loopDelayP99(bare, 50, 50);
      report('event-loop delay p99, 50 concurrent logins, bcrypt 10', '<= 20 ms', `${p99.toFixed(1)} ms`, `${base.toFixed(1)} ms`, p99 / base);
    }
  } finally {
    await t.close();
  }
}

console.log('6. worst rule-regex match vs a literal pattern');
await redosBench();

console.log('\n| figure | target | measured | baseline | ratio |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('better-auth: not measured (see bench/README.md).');
