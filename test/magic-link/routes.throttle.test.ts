// Send limits for magic links, per recipient and per client IP (item 19); throttled answers look like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, passwordLogin, type TestApp } from '../support/app.ts';
import { askByForm, linksFor, magicConfig, seedMagicUsers, type MagicSeed } from './support.ts';

let t: TestApp;
let seed: MagicSeed;
beforeAll(async () => {
  t = await createTestApp({
    config: magicConfig('local', { magicLink: { sendsPerEmail: { points: 2, durationSeconds: 900 }, sendsPerIp: { points: 4, durationSeconds: 900 } } }),
    configure: (app) => app.set('trust proxy', true),
  });
  seed = await seedMagicUsers(t);
});
afterAll(() => t.close());

const from = (ip: string) => ({ 'X-Forwarded-For': ip });

describe('magic-link send limits', () => {
  it('stops sending to one address after sendsPerEmail, whatever the IP, and the answer does not change', async () => {
    // Threat (item 19): mail bombing a user, or burning their links, by asking again and again.
    const answers = [];
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) answers.push(await askByForm(t.agent(), 'mia', from(ip)));
    expect(linksFor(t, seed.ids.magic)).toHaveLength(2);
    for (const res of answers) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/accounts/complete/');
    }
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ username: 'mia', user: { id: seed.ids.magic }, reason: 'throttled' });
    // Asking by email address counts against the same mailbox.
    await askByForm(t.agent(), 'mia@magic.test', from('10.0.0.4'));
    expect(linksFor(t, seed.ids.magic)).toHaveLength(2);
  });

  it('stops sending from one IP after sendsPerIp, unknown names included', async () => {
    // Threat (item 19): one client spraying link requests over many accounts.
    const ip = from('10.9.9.9');
    await t.prisma.user.create({ data: { username: 'max', email: 'max@magic.test' } });
    const max = (await t.prisma.user.findUniqueOrThrow({ where: { username: 'max' } })).id;
    for (const name of ['ghost1', 'ghost2', 'ghost3']) expect((await askByForm(t.agent(), name, ip)).headers.location).toBe('/accounts/complete/');
    expect((await askByForm(t.agent(), 'max', ip)).status).toBe(303);
    expect(linksFor(t, max)).toHaveLength(1);
    const throttled = await askByForm(t.agent(), 'max', ip);
    expect(throttled.status).toBe(303);
    expect(throttled.headers.location).toBe('/accounts/complete/');
    expect(linksFor(t, max)).toHaveLength(1);
    // Another IP is not affected.
    await askByForm(t.agent(), 'max', from('10.9.9.10'));
    expect(linksFor(t, max)).toHaveLength(2);
  });

  it('email_mfa: after a correct password, a throttled send says so', async () => {
    for (const ip of ['10.1.0.1', '10.1.0.2']) expect((await passwordLogin(t.agent().set(from(ip)), 'sam', PASSWORD)).headers.location).toBe('/accounts/complete/');
    const res = await passwordLogin(t.agent().set(from('10.1.0.3')), 'sam', PASSWORD);
    expect(res.status).toBe(429);
    expect(res.text).toContain('Too many login links were requested. Please wait a few minutes and try again.');
    expect(linksFor(t, seed.ids.second)).toHaveLength(2);
    expect(t.events.of('loginFailed').at(-1)).toMatchObject({ user: { id: seed.ids.second }, method: 'email_mfa', reason: 'throttled' });
  });
});
