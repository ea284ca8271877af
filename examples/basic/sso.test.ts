// The example's SSO logins, clicked through as at `npm start` against the emulator with the demo directory:
// SAML by organization (JIT with a profile and a ~location), SAML by connection (IdP-initiated, !location),
// Google and Microsoft.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkOSEmulator } from '../../src/emulator/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import type { TestDb } from '../../test/support/db.ts';
import { startDemo, type Demo } from './test-support.ts';

let demo: Demo;
let db: TestDb;
let emulator: WorkOSEmulator;
beforeAll(async () => {
  demo = await startDemo({ emulator: true });
  ({ db } = demo);
  emulator = demo.emulator!;
});
afterAll(() => demo.close());

const local = (url: string) => {
  const u = new URL(url);
  expect(u.origin).toBe('http://localhost:3000');
  return u.pathname + u.search;
};

async function spLogin(username: string, email = username) {
  const agent = demo.agent();
  const form = await agent.get('/accounts/login/');
  const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(form.text), username });
  expect(step2.status).toBe(303);
  const res = await agent.get(local(await emulator.idp.signIn(step2.headers.location!, { email })));
  return { agent, res };
}

describe('example app: SSO', () => {
  it('Foo Corp (SAML by organization): alice is created with her profile and linked to the HQ location', async () => {
    const { agent, res } = await spLogin('alice@foo-corp.com');
    expect(res.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toContain('Alice Anderson');
    const alice = await db.prisma.user.findFirstOrThrow({ where: { email: 'alice@foo-corp.com' }, include: { profile: true, location: true, groups: true } });
    expect(alice.profile).toMatchObject({ organizationName: 'Foo Corp', title: 'Staff Engineer' });
    expect(alice.location?.locationId).toBe('loc-hq');
    expect(alice.groups.map((g) => g.name)).toEqual(['Foo Corp']);
  });

  it('Foo Corp: bob (no location attribute) is created without a location', async () => {
    await spLogin('bob@foo-corp.com');
    expect((await db.prisma.user.findFirstOrThrow({ where: { email: 'bob@foo-corp.com' } })).locationId).toBeNull();
  });

  it('Initech (SAML by connection): IdP-initiated login creates peter; milton has no known location and is refused', async () => {
    const agent = demo.agent();
    const res = await agent.get(local(await emulator.idp.initiate({ connectionId: 'conn_initech_okta', email: 'peter@initech.com' })));
    expect(res.headers.location).toBe('/accounts/profile/');
    expect((await agent.get('/accounts/profile/')).text).toContain('Peter Gibbons');
    const refused = await demo.agent().get(local(await emulator.idp.initiate({ connectionId: 'conn_initech_okta', email: 'milton@initech.com' })));
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Your account has not been provisioned.');
  });

  it('Google and Microsoft accounts', async () => {
    for (const email of ['carol@gmail.com', 'erin@outlook.com']) {
      const { agent, res } = await spLogin(email);
      expect(res.headers.location).toBe('/accounts/profile/');
      expect((await agent.get('/accounts/profile/')).text).toContain(email);
    }
  });
});
