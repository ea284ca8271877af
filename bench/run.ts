// `npm run bench`: every figure of issue 12 next to a baseline measured in the same run, as
//   figure | target | measured | baseline | ratio
// Targets are checked by eye (speed is measured, not asserted in tests). Sizes shrink with BENCH_QUICK=1 (the
// figures are then indicative only); TEST_DATABASE_URL=postgresql://… runs the database parts on PostgreSQL.
// Only servers started here (in process, or in child processes on loopback) are hit; every loop is bounded in count.
// The machine is shared: peers run in many short interleaved rounds; rates are medians of the rounds and ratios the
// medians of the per-round ratios.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import bcrypt from 'bcrypt';
import supertest from 'supertest';
import type { Express } from 'express';
import { createTestApp, createUser, csrfFrom, type TestApp } from '../test/support/app.ts';
import { usingPostgres } from '../test/support/db.ts';
import { listenOnLoopback } from '../test/support/loopback.ts';
import { betterAuthPeer, type BetterAuthPeer } from './better-auth.ts';
import { nunjucksApp, passportApp } from './peers.ts';
import { redosBench } from './redos.ts';
import { ruleScaleBench } from './rule-scale.ts';

const QUICK = process.env.BENCH_QUICK === '1';
/** BENCH_ONLY=2,3 runs only those sections (1 resolution, 2 logins, 3 step 1, 4 event loop, 5 RSS, 6 regex). */
const ONLY = process.env.BENCH_ONLY?.split(',').map((x) => x.trim());
const want = (section: number) => !ONLY || ONLY.includes(String(section));
const quiet = { info() {}, warn() {}, error() {} };
const PASSWORD = 'correct horse battery';
const USERS = 50;
const rows: string[][] = [];

export function report(figure: string, target: string, measured: string, baseline: string, ratio: number): void {
  rows.push([figure, target, measured, baseline, ratio.toFixed(2)]);
  console.log(`  ${figure}: ${measured} vs baseline ${baseline} -> ratio ${ratio.toFixed(2)} (target ${target})`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Agent = ReturnType<typeof supertest.agent>;
/** One peer: `login(i)` does a browser's whole login as user i; `step1(i)` only GET form + POST username. */
interface Peer {
  name: string;
  login(i: number): Promise<void>;
}

async function fullLogin(agent: Agent, loginPath: string, privatePath: string, username: string, name: string): Promise<void> {
  const form = await agent.get(loginPath);
  const token = csrfFrom(form.text);
  const step1 = await agent.post(loginPath).type('form').send({ _csrf: token, username });
  if (step1.status !== 200) throw new Error(`${name}: step 1 gave ${step1.status}`);
  const done = await agent.post(loginPath).type('form').send({ _csrf: token, username, password: PASSWORD });
  if (done.status !== 303) throw new Error(`${name}: password step gave ${done.status}`);
  const page = await agent.get(privatePath);
  if (page.status !== 200) throw new Error(`${name}: protected page gave ${page.status}`);
}

async function step1(agent: Agent, loginPath: string, username: string, name: string): Promise<void> {
  const form = await agent.get(loginPath);
  const res = await agent.post(loginPath).type('form').send({ _csrf: csrfFrom(form.text), username });
  if (res.status !== 200) throw new Error(`${name}: step 1 gave ${res.status}`);
}

/**
 * Operations per second of each peer over `rounds` short interleaved rounds of `n` sequential operations each (or
 * the peer's own `n`: a peer as slow as better-auth with scrypt would otherwise take minutes). Rounds are short and
 * many so that a drift in the machine's speed (it is shared) hits both sides of each round alike: a ratio is the
 * median of the per-round ratios (`pairedRatio`), not a ratio of medians taken at different moments.
 */
async function rate(peers: (Peer & { n?: number })[], n: number, rounds: number): Promise<number[][]> {
  const perRound: number[][] = peers.map(() => []);
  // Warm up for three rounds' worth: the rates still climbed for a few thousand requests (JIT, the pool, query plans).
  for (const p of peers) for (let i = 0; i < 3 * (p.n ?? n); i++) await p.login(i);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round, so neither peer always runs right after the other's garbage.
    const order = r % 2 ? [...peers.keys()].reverse() : [...peers.keys()];
    for (const k of order) {
      const count = peers[k]!.n ?? n;
      const start = performance.now();
      for (let i = 0; i < count; i++) await peers[k]!.login(i);
      perRound[k]!.push((count * 1000) / (performance.now() - start));
    }
  }
  // BENCH_ROUNDS=1 prints every round's rates, to see the spread behind a median.
  if (process.env.BENCH_ROUNDS === '1') peers.forEach((p, k) => console.log(`    rounds, ${p.name}: ${perRound[k]!.map((x) => x.toFixed(1)).join(' ')}`));
  return perRound;
}

/** The median over rounds of a's rate over b's in the same round. */
const pairedRatio = (a: number[], b: number[]) => median(a.map((x, r) => x / b[r]!));

/** A peer's server in its own process (bench/server-child.ts), driven over loopback HTTP. */
class ChildServer {
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(peer: 'ours' | 'bare', cost: number, users: number): Promise<ChildServer> {
    const child = fork(new URL('./server-child.ts', import.meta.url).pathname, [peer, String(cost), String(users)], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`server-child ${peer} exited with ${code}`)));
    });
    return new ChildServer(peer === 'ours' ? 'express-workos-login' : 'passport-local', child, `http://127.0.0.1:${port}`);
  }

  ask<T>(msg: string, key: string): Promise<T> {
    return new Promise((resolve) => {
      const on = (m: Record<string, T>) => {
        if (key in m) {
          this.child.off('message', on);
          resolve(m[key]!);
        }
      };
      this.child.on('message', on);
      this.child.send(msg);
    });
  }

  login(i: number): Promise<void> {
    const ours = this.name === 'express-workos-login';
    return fullLogin(supertest.agent(this.url), ours ? '/accounts/login/' : '/login', '/private', `user${i % USERS}`, this.name);
  }

  /** `total` logins, `concurrent` at a time. */
  async logins(total: number, concurrent: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrent }, async () => {
        while (next < total) await this.login(next++);
      }),
    );
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send('close');
    await exited;
  }
}

/**
 * Each peer listens once on loopback, as a deployed app does, and every browser is a new agent on it. (Handing
 * supertest the app instead starts and stops a server per request, which cost more than a step-1 request itself
 * and grew as closed ports piled up in TIME_WAIT.)
 */
const servers: { close(): Promise<void> }[] = [];
async function serve(app: Express): Promise<string> {
  const served = await listenOnLoopback(app);
  servers.push(served);
  return served.url;
}
async function closeServers(): Promise<void> {
  for (const s of servers.splice(0)) await s.close();
}

async function peersFor(t: TestApp): Promise<[Peer, Peer]> {
  const [ours, bare] = [await serve(t.app), await serve(passportApp(t.prisma))];
  return [
    { name: 'express-workos-login', login: (i) => fullLogin(supertest.agent(ours), '/accounts/login/', '/private', `user${i % USERS}`, 'ours') },
    { name: 'passport-local', login: (i) => fullLogin(supertest.agent(bare), '/login', '/private', `user${i % USERS}`, 'bare') },
  ];
}

async function loginApp(cost: number, users: number): Promise<TestApp> {
  // No event recorder: the harness's log of every event is test instrumentation, not the library's cost.
  const t = await createTestApp({ config: { password: { bcryptCost: cost }, logger: quiet }, eventLog: false });
  for (let i = 0; i < users; i++) await createUser(t.prisma, { username: `user${i}`, email: `user${i}@example.test` });
  // Hashes at the configured cost, so no login pays for a rehash.
  await t.prisma.user.updateMany({ data: { passwordHash: await bcrypt.hash(PASSWORD, cost) } });
  return t;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`express-workos-login benchmarks on ${usingPostgres ? 'PostgreSQL' : 'SQLite'}${QUICK ? ' (BENCH_QUICK: indicative only)' : ''}; load average ${load()}`);
const started = performance.now();

console.log('1. rule resolution p50 (baseline: reading the user, which a login does anyway)');
for (const [rules, users, target] of !want(1) ? [] : [
  [100, 10_000, 1],
  [1000, 100_000, 5],
] as const) {
  const r = await ruleScaleBench(rules, QUICK ? users / 10 : users, QUICK ? 100 : 400, quiet);
  report(`rule resolution p50, ${rules} rules (${r.lookups} lookup) / ${r.users} users`, `<= ${target} ms`, `${r.p50.toFixed(3)} ms`, `${r.baselineP50.toFixed(3)} ms`, r.p50 / r.baselineP50);
  report(`  queries per resolution, same set`, '<= 1 + relations', String(r.queries), '—', r.queries);
  report(`  resolution p50 at the user's next read (relation rows remembered)`, `<= ${target} ms`, `${r.warmP50.toFixed(3)} ms`, `${r.baselineP50.toFixed(3)} ms`, r.warmP50 / r.baselineP50);
  report(`  statements of that read and resolution together`, '1', String(r.warmQueries), '—', r.warmQueries);
  console.log(`  (seeding ${r.users} users and ${rules} rules took ${(r.seedMs / 1000).toFixed(1)} s)`);
}

const ROUNDS = 5;
for (const cost of [...(want(2) || want(3) ? [4] : []), ...(want(2) ? [10] : [])]) {
  const t = await loginApp(cost, USERS);
  const bas: BetterAuthPeer[] = [];
  try {
    const size = (await t.agent().get('/accounts/login/')).text.length;
    // better-auth as its users run it (scrypt) only at cost 4: scrypt's cost does not follow bcrypt's.
    for (const hash of !want(2) ? [] : cost === 4 ? (['scrypt', 'bcrypt'] as const) : (['bcrypt'] as const)) {
      bas.push(await betterAuthPeer({ postgresUrl: usingPostgres ? process.env.TEST_DATABASE_URL : undefined, hash, cost, users: USERS, password: PASSWORD, pageSize: size }));
    }
    const [n, rounds] = cost === 4 ? (QUICK ? [15, 7] : [50, 11]) : QUICK ? [6, 5] : [10, 9];
    const baPeers = bas.map((ba, k) => ({
      name: 'better-auth',
      // Its scrypt login is about 10× slower: a tenth of the logins per round gives the same time per round.
      n: cost === 4 && k === 0 ? Math.max(3, Math.round(n / 10)) : undefined,
      login: (i: number) => ba.login(`user${i % USERS}@example.test`, PASSWORD),
    }));
    const [ours, bare] = await peersFor(t);
    if (want(2)) {
      console.log(`2. full login, bcrypt ${cost}: ${rounds} interleaved rounds of ${n}, medians (better-auth: 3 requests, see bench/README.md)`);
      const [a, b, ...c] = await rate([ours, bare, ...baPeers], n, rounds);
      const at = (xs: number[]) => `${median(xs).toFixed(1)}/s`;
      report(`logins/s, bcrypt ${cost}`, cost === 4 ? '>= 0.8x' : '>= 0.95x', at(a!), `${at(b!)} passport-local`, pairedRatio(a!, b!));
      if (cost === 4) report('logins/s, bcrypt 4, vs better-auth as shipped (scrypt)', '>= 1.5x', at(a!), `${at(c[0]!)} better-auth`, pairedRatio(a!, c[0]!));
      report(`logins/s, bcrypt ${cost}, vs better-auth given the same bcrypt`, '— (same hash: framework cost only)', at(a!), `${at(c.at(-1)!)} better-auth`, pairedRatio(a!, c.at(-1)!));
    }
    if (cost === 4 && want(3)) {
      console.log('3. step 1 (GET form + POST username) against a bare Nunjucks page of the same size');
      const [oursUrl, nj] = [await serve(t.app), await serve(nunjucksApp(size))];
      const [s1, s0] = await rate(
        [
          { name: 'ours', login: (i) => step1(supertest.agent(oursUrl), '/accounts/login/', `user${i % USERS}`, 'ours') },
          { name: 'nunjucks page', login: (i) => step1(supertest.agent(nj), '/login', `user${i % USERS}`, 'nunjucks page') },
        ],
        QUICK ? 20 : 40,
        QUICK ? 9 : 21,
      );
      report(`step 1/s (login page ${size} chars)`, '>= 0.8x', `${median(s1!).toFixed(1)}/s`, `${median(s0!).toFixed(1)}/s`, pairedRatio(s1!, s0!));
    }
  } finally {
    await closeServers();
    for (const ba of bas) await ba.close();
    await t.close();
  }
}

if (want(4)) {
  console.log('4. event-loop delay p99 of the server (own process, loopback HTTP), 50 concurrent logins, bcrypt 10');
  const servers = [await ChildServer.start('ours', 10, USERS), await ChildServer.start('bare', 10, USERS)];
  try {
    const p99s: number[][] = servers.map(() => []);
    for (const s of servers) await s.logins(20, 10); // warm up
    for (let r = 0; r < ROUNDS; r++) {
      for (const [k, s] of (r % 2 ? [...servers.entries()].reverse() : [...servers.entries()])) {
        await s.ask('loop-start', 'ok');
        await s.logins(50, 50);
        p99s[k]!.push(await s.ask<number>('loop-stop', 'p99'));
      }
    }
    const [p99, base] = p99s.map(median);
    report('event-loop delay p99, 50 concurrent logins, bcrypt 10', '<= 20 ms', `${p99!.toFixed(1)} ms`, `${base!.toFixed(1)} ms`, p99! / base!);
  } finally {
    for (const s of servers) await s.close();
  }
}

if (want(5)) {
  console.log('5. RSS growth of the server (own process, --expose-gc) over logins after a warm-up, bcrypt 4');
  // RSS read after garbage collection, after a warm-up long enough for V8 and malloc to reach their working size
  // (a shorter one reads high and the growth comes out negative), then every fifth of the run, so a trend shows.
  const logins = QUICK ? 2000 : 10_000;
  const warmUp = QUICK ? 500 : 1000;
  const growth: number[] = [];
  for (const peer of ['ours', 'bare'] as const) {
    const s = await ChildServer.start(peer, 4, USERS);
    try {
      await s.logins(warmUp, 8);
      const readings = [await s.ask<number>('rss', 'rss')];
      for (let k = 0; k < 5; k++) {
        await s.logins(logins / 5, 8);
        readings.push(await s.ask<number>('rss', 'rss'));
      }
      // From the lowest reading, not the first: the heap V8 grew during the warm-up is sometimes handed back later,
      // which made "last − first" negative; last − lowest cannot hide growth.
      growth.push((readings.at(-1)! - Math.min(...readings)) / 1048576);
      console.log(`  ${s.name}: RSS after ${warmUp} warm-up logins, then every ${logins / 5}: ${readings.map((r) => (r / 1048576).toFixed(1)).join(', ')} MB`);
    } finally {
      await s.close();
    }
  }
  report(`RSS growth (last reading − lowest) over ${logins} logins after ${warmUp} warm-up (bcrypt 4, sessions in a MemoryStore)`, '< 20 MB', `${growth[0]!.toFixed(1)} MB`, `${growth[1]!.toFixed(1)} MB`, growth[0]! / Math.max(growth[1]!, 0.1));
}

if (want(6)) {
  console.log('6. worst rule-regex match vs a literal pattern');
  await redosBench();
}

console.log(`\nload average at the end ${load()}; took ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log('\n| figure | target | measured | baseline | ratio |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
