// Shared set-up for emulator tests: the demo directory, an SDK client pointed at the emulator and a
// fixed, movable clock.
import { fileURLToPath } from 'node:url';
import { WorkOS } from '@workos-inc/node';
import { type WorkOSEmulator, type WorkOSEmulatorOptions, createWorkOSEmulator } from '../../src/emulator/index.ts';

export const DEMO_DIRECTORY = fileURLToPath(new URL('../../emulator/demo-directory.json', import.meta.url));
export const SSO_CALLBACK = 'http://localhost:3000/accounts/callback/sso/';
export const MAGIC_CALLBACK = 'http://localhost:3000/accounts/callback/magic/';
/** A fixed start time keeps TOTP steps and expiries deterministic. */
export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

export interface Harness {
  emulator: WorkOSEmulator;
  workos: WorkOS;
}

export async function startDemo(options: WorkOSEmulatorOptions = {}): Promise<Harness> {
  const emulator = await createWorkOSEmulator({ directory: DEMO_DIRECTORY, now: () => T0, ...options });
  return { emulator, workos: new WorkOS(emulator.apiKey, emulator.sdkOptions) };
}

/** Query parameters of a redirect `Location`. */
export function paramsOf(location: string): Record<string, string> {
  return Object.fromEntries(new URL(location).searchParams);
}

/** Follows one hop as a browser would, without following further: status and Location. */
export async function hop(url: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; text: string }> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** Awaits a promise expected to reject and returns the error for assertions on its class and fields. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
