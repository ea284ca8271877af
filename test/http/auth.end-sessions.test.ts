// Ending sessions from the server: `endSessions(userId)` and deactivating a user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, passwordLogin, type Agent, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'mallory', password: PASSWORD });
  await createUser(t.prisma, { username: 'niaj', password: PASSWORD });
  await createUser(t.prisma, { username: 'olivia', password: PASSWORD });
});
afterAll(() => t.close());

async function login(username: string): Promise<Agent> {
  const agent = t.agent();
  expect((await passwordLogin(agent, username, PASSWORD)).status).toBe(303);
  expect((await agent.get('/private')).text).toBe(`private for ${username}`);
  return agent;
}

async function expectAnonymous(agent: Agent) {
  const res = await agent.get('/private');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/accounts/login/?next=%2Fprivate');
  const page = await agent.get('/accounts/login/');
  expect(page.text).not.toContain('You are logged in as');
}

const idOf = async (username: string) => (await t.prisma.user.findUniqueOrThrow({ where: { username } })).id;

describe('ending sessions', () => {
  it('endSessions(userId) makes every session of that user anonymous on its next request', async () => {
    // Threat (item 25): an admin cannot cut off a compromised account's live sessions.
    const first = await login('mallory');
    const second = await login('mallory');
    const bystander = await login('olivia');
    await t.login.endSessions(await idOf('mallory'));
    await expectAnonymous(first);
    await expectAnonymous(second);
    expect((await bystander.get('/private')).text).toBe('private for olivia');
    // A fresh login works again.
    const again = await login('mallory');
    expect((await again.get('/private')).status).toBe(200);
  });

  it('a deactivated user loses access on the next request and cannot log in', async () => {
    // Threat (items 25, 47): a disabled account keeps using its open sessions.
    const agent = await login('niaj');
    await t.prisma.user.update({ where: { username: 'niaj' }, data: { isActive: false } });
    await expectAnonymous(agent);
    const retry = await passwordLogin(t.agent(), 'niaj', PASSWORD);
    expect(retry.status).toBe(401);
  });

  it('deactivateUser(userId) ends the sessions for good: re-activating does not revive them', async () => {
    // Threat (item 25/47): a disabled account's stolen session comes back to life when the account is re-enabled.
    await createUser(t.prisma, { username: 'peggy', password: PASSWORD });
    const agent = await login('peggy');
    await t.login.deactivateUser(await idOf('peggy'));
    await expectAnonymous(agent);
    await t.prisma.user.update({ where: { username: 'peggy' }, data: { isActive: true } });
    await expectAnonymous(agent);
    // The person can log in again normally once re-enabled.
    await login('peggy');
  });
});
