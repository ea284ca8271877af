// A workload to profile: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-login.ts [login|step1] [count]`
// runs `count` (default 1,500) cheap-hash logins (bcrypt 4, 50 users, SQLite or TEST_DATABASE_URL's PostgreSQL)
// through the test harness in one process after 50 warm-up ones, each a new browser on the app listening once on
// loopback (as in `npm run bench`), and prints the time per login. Open the .cpuprofile in Chrome DevTools, or sum
// its self times per package (bench/README.md says what it showed).
import supertest from 'supertest';
import { createTestApp, createUser, csrfFrom } from '../test/support/app.ts';
import { listenOnLoopback } from '../test/support/loopback.ts';
const quiet = { info() {}, warn() {}, error() {} };
const t = await createTestApp({ config: { password: { bcryptCost: 4 }, logger: quiet }, eventLog: false });
for (let i = 0; i < 50; i++) await createUser(t.prisma, { username: `user${i}`, email: `user${i}@example.test` });
const { url, close } = await listenOnLoopback(t.app);
const mode = process.argv[2] ?? 'login';
async function one(i: number) {
  const agent = supertest.agent(url);
  const form = await agent.get('/accounts/login/');
  const token = csrfFrom(form.text);
  const s1 = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: `user${i % 50}` });
  if (s1.status !== 200) throw new Error('s1 ' + s1.status);
  if (mode === 'step1') return;
  const done = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: `user${i % 50}`, password: 'correct horse battery' });
  if (done.status !== 303) throw new Error('done ' + done.status);
  const page = await agent.get('/private');
  if (page.status !== 200) throw new Error('priv');
}
for (let i = 0; i < 50; i++) await one(i);
const t0 = performance.now();
const N = Number(process.argv[3] ?? 1500);
for (let i = 0; i < N; i++) await one(i);
console.log(mode, (performance.now() - t0) / N, 'ms per op');
await close();
await t.close();
