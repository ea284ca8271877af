// Benchmarks, each printed as a ratio against a baseline measured in the same run on the same machine:
//  1. rule resolution with the cache vs. re-reading the rules from the database every time (50 rules);
//  2. a full HTTP password login (both steps) vs. the bare bcrypt compare it cannot avoid;
//  3. the worst rule-regex match on a 320-character input vs. a literal pattern (bench/redos.ts).
// Run: npm run bench
import bcrypt from 'bcrypt';
import { RuleRepository } from '../src/db/rules.ts';
import { UserRepository } from '../src/db/users.ts';
import { RuleStore } from '../src/rules/store.ts';
import { createTestApp, createUser, csrfFrom } from '../test/support/app.ts';
import { BUILTIN_CATALOG } from '../test/support/catalog.ts';
import { redosBench } from './redos.ts';

const quiet = { info() {}, warn() {}, error() {} };

async function time(label: string, n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(5, n); i++) await fn(i); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const perOp = Number(process.hrtime.bigint() - start) / 1e6 / n;
  console.log(`  ${label.padEnd(44)} ${perOp.toFixed(3)} ms/op  (n=${n})`);
  return perOp;
}

const t = await createTestApp({ config: { password: { bcryptCost: 10 }, logger: quiet } });
try {
  for (let i = 0; i < 49; i++) {
    await t.login.rules.create({ name: `rule ${i}`, method: 'password', priority: i + 1, emailRegex: `^nobody${i}@corp${i}\\.test$` });
  }
  for (let i = 0; i < 20; i++) await createUser(t.prisma, { username: `user${i}`, email: `user${i}@example.test` });
  // Hashes at the configured cost, so no login pays for a rehash.
  await t.prisma.user.updateMany({ data: { passwordHash: await bcrypt.hash('correct horse battery', 10) } });
  const users = new UserRepository(t.prisma, { usernameLookup: true, emailLookup: false, activeUserFilter: { isActive: true } });
  const rows = await t.prisma.user.findMany();

  console.log('1. rule resolution, 50 rules, 20 users');
  const cached = new RuleStore(new RuleRepository(t.prisma), users, quiet, BUILTIN_CATALOG);
  const baseline = await time('baseline: re-read rules on every resolve', 200, (i) => {
    const fresh = new RuleStore(new RuleRepository(t.prisma), users, quiet, BUILTIN_CATALOG);
    return fresh.resolve(rows[i % rows.length]!, rows[i % rows.length]!.username);
  });
  const ours = await time('cached RuleStore', 200, (i) => cached.resolve(rows[i % rows.length]!, rows[i % rows.length]!.username));
  console.log(`  ratio cached/baseline: ${(ours / baseline).toFixed(3)}`);

  console.log('2. password login over HTTP (bcrypt cost 10)');
  const hash = await bcrypt.hash('correct horse battery', 10);
  const bare = await time('baseline: bcrypt.compare alone', 30, () => bcrypt.compare('correct horse battery', hash));
  const login = await time('GET login + POST step 2 + POST password', 30, async (i) => {
    const agent = t.agent();
    const page = await agent.get('/accounts/login/');
    const token = csrfFrom(page.text);
    const username = `user${i % 20}`;
    await agent.post('/accounts/login/').type('form').send({ _csrf: token, username });
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username, password: 'correct horse battery' });
    if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  });
  console.log(`  ratio login/bcrypt: ${(login / bare).toFixed(3)}`);
} finally {
  await t.close();
}
redosBench();
