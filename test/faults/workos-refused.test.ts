// WorkOS not listening at all (connection refused, not a 5xx or a hang: those are the emulator's fault injection,
// in test/sso/callback.errors, test/mfa/factors-api.upstream and test/magic-link/routes.upstream): the SDK reaches
// the emulator through a loopback proxy that stops listening. Each step that calls WorkOS answers the "try again"
// page (503, no stack trace), saves nothing, keeps the browser's session, and works again once WorkOS is back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, startMfaLogin, totpCode } from '../support/mfa.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { completeIdpLogin, startLogin, whoAmI } from '../support/workos.ts';
import { askAtLogin, magicConfig, seedMagicUsers } from '../magic-link/support.ts';

/** Where the proxy sends connections: the emulator, once the app (which starts it) is up. */
const target = { host: '127.0.0.1', port: 0 };
let proxy: TcpProxy;
let t: WorkosTestApp;

beforeAll(async () => {
  proxy = await startTcpProxy(target);
  t = await createTestApp({ emulator: { timeoutMs: 2000 }, rules: [{ ...MFA_RULE, priority: 1 }], config: { ...magicConfig('workos'), workos: { port: proxy.port } } });
  target.port = Number(new URL(t.emulator.url).port);
  await seedMagicUsers(t);
  await t.login.rules.create({ name: 'Acme SAML', method: 'sso', priority: 5, emailRegex: '@acme\\.test$', organizationId: 'org_acme', jitCreation: 'attributes' });
});
afterAll(async () => {
  await t?.close();
  await proxy?.close();
});
beforeEach(() => proxy.restore());

function expectTryAgainPage(res: { status: number; text: string }) {
  expect(res.status).toBe(503);
  expect(res.text).toContain(LOGIN_MESSAGES.upstream);
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|\bat \/|node_modules|Error:|ECONNREFUSED/);
}

const refusedLogged = (from: number) => t.logs.slice(from).some((l) => /WorkOS [\w.]+ failed/.test(l) && /ECONNREFUSED|connect|fetch failed/i.test(l));

describe('WorkOS refuses connections', () => {
  it('SSO: the start needs no WorkOS call (303 to WorkOS); the callback answers 503 and creates nobody; then it works', async () => {
    const email = 'refused@acme.test';
    t.emulator.directory.addUser('conn_acme_saml', { email, firstName: 'Ref' });
    const agent = t.agent();
    await proxy.refuse();
    // Building the authorization URL is local to the SDK: the browser is sent on to WorkOS (here, the proxy).
    const authorize = new URL(await startLogin(agent, email));
    expect(`${authorize.port}${authorize.pathname}`).toBe(`${proxy.port}/sso/authorize`);
    // The browser's own trip to WorkOS and the IdP is not what is cut here: it goes to the emulator directly.
    authorize.port = String(target.port);
    const callback = await completeIdpLogin(t.emulator, authorize.toString(), { email });
    const logged = t.logs.length;
    expectTryAgainPage(await agent.get(callback));
    expect(refusedLogged(logged)).toBe(true);
    expect(await t.prisma.user.count({ where: { email } })).toBe(0);
    expect(await t.prisma.ssoIdentity.count()).toBe(0);
    expect(await whoAmI(agent)).toBeNull();

    await proxy.restore();
    const again = new URL(await startLogin(agent, email));
    again.port = String(target.port);
    expect((await agent.get(await completeIdpLogin(t.emulator, again.toString(), { email }))).status).toBe(303);
    expect(await whoAmI(agent)).toBe(email);
    expect(await t.prisma.ssoIdentity.count()).toBe(1);
  });

  it('MFA: the TOTP challenge answers 503 and keeps the half-login; the same code works once WorkOS is back', async () => {
    const { agent, secret } = await startMfaLogin(t, 'eli', { enrolled: { factor: 'totp' } });
    const code = totpCode(t, secret);
    await proxy.refuse();
    const logged = t.logs.length;
    const res = await postForm(agent, '/accounts/verify/', { code });
    expectTryAgainPage(res);
    expect(res.text).toContain('<a href="/accounts/verify/">Try again</a>');
    expect(refusedLogged(logged)).toBe(true);
    expect(await isLoggedIn(agent)).toBe(false);

    await proxy.restore();
    expect((await postForm(agent, '/accounts/verify/', { code })).status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('magic link: the send answers 503, sends nothing; asking again works once WorkOS is back', async () => {
    const agent = t.agent();
    t.emulator.outbox.clear();
    await proxy.refuse();
    const logged = t.logs.length;
    expectTryAgainPage(await askAtLogin(agent, 'mia'));
    expect(refusedLogged(logged)).toBe(true);
    expect(t.emulator.outbox.messages()).toHaveLength(0);

    await proxy.restore();
    expect((await askAtLogin(agent, 'mia')).status).toBe(303);
    expect(t.emulator.outbox.messages()).toHaveLength(1);
  });
});
