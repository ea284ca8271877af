// Two emulators in one process share nothing: codes, users, factors and outboxes stay with their own.
import { NotFoundException, OauthException } from '@workos-inc/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, SSO_CALLBACK, paramsOf, rejectionOf, startDemo } from './support.ts';

let a: Harness;
let b: Harness;
beforeAll(async () => {
  [a, b] = await Promise.all([startDemo(), startDemo()]);
});
afterAll(() => Promise.all([a.emulator.close(), b.emulator.close()]));

it('listen on different ports', () => {
  expect(a.emulator.port).not.toBe(b.emulator.port);
});

it('a code issued by one emulator is unknown to the other', async () => {
  const url = a.workos.sso.getAuthorizationUrl({ connection: 'conn_google', clientId: a.emulator.clientId, redirectUri: SSO_CALLBACK });
  const { code } = paramsOf(await a.emulator.idp.signIn(url, { email: 'carol@gmail.com' }));
  const error = await rejectionOf(b.workos.sso.getProfileAndToken({ code: code!, clientId: b.emulator.clientId }));
  expect(error).toBeInstanceOf(OauthException);
  expect(error).toMatchObject({ error: 'invalid_grant' });
  await expect(a.workos.sso.getProfileAndToken({ code: code!, clientId: a.emulator.clientId })).resolves.toBeDefined();
});

it('a user added to one directory does not appear in the other', async () => {
  a.emulator.directory.addUser('conn_google', { email: 'only-in-a@gmail.com' });
  expect(a.emulator.directory.connection('conn_google')?.users).toHaveLength(3);
  expect(b.emulator.directory.connection('conn_google')?.users).toHaveLength(2);
  const url = b.workos.sso.getAuthorizationUrl({ connection: 'conn_google', clientId: b.emulator.clientId, redirectUri: SSO_CALLBACK });
  await expect(b.emulator.idp.signIn(url, { email: 'only-in-a@gmail.com' })).rejects.toThrow(/offers no user only-in-a@gmail.com/);
});

it('factors, outboxes, clocks and faults are per instance', async () => {
  const factor = await a.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' });
  await a.workos.mfa.challengeFactor({ authenticationFactorId: factor.id });
  expect(await rejectionOf(b.workos.mfa.getFactor(factor.id))).toBeInstanceOf(NotFoundException);
  expect(a.emulator.outbox.messages()).toHaveLength(1);
  expect(b.emulator.outbox.messages()).toHaveLength(0);
  a.emulator.clock.advance(60_000);
  expect(a.emulator.clock.now() - b.emulator.clock.now()).toBe(60_000);
  a.emulator.faults.inject({ path: '/auth/*', status: 500 });
  await expect(b.workos.mfa.enrollFactor({ type: 'sms', phoneNumber: '+15005550006' })).resolves.toBeDefined();
  a.emulator.faults.clear();
});
