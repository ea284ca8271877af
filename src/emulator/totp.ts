// TOTP as WorkOS does it (RFC 6238: SHA-1, 6 digits, 30 s steps), through otplib rather than a
// hand-written HMAC, and checked against the emulator's clock so tests can move time.
//
// otplib and qrcode are optional peer dependencies: only the emulator needs them, so hosts that never run it do
// not install them. They are loaded once, when an emulator is created, with an error that says what to install.
import { EmulatorConfigError } from './errors.ts';

interface TotpKit {
  authenticator: typeof import('otplib').authenticator;
  toDataURL: (text: string) => Promise<string>;
}

let kit: TotpKit | null = null;

export const MISSING_TOTP_PACKAGES =
  'The WorkOS emulator needs the packages otplib and qrcode (optional peer dependencies of express-workos-login): npm install -D otplib qrcode';

/** Loads otplib and qrcode once; a missing package is an `EmulatorConfigError` naming the install command. */
export async function loadTotp(importer: (name: string) => Promise<unknown> = (name) => import(name)): Promise<void> {
  if (kit) return;
  try {
    const otplib = (await importer('otplib')) as typeof import('otplib');
    const qrcode = (await importer('qrcode')) as { default?: { toDataURL(text: string): Promise<string> }; toDataURL?(text: string): Promise<string> };
    const toDataURL = qrcode.default?.toDataURL ?? qrcode.toDataURL;
    if (!toDataURL) throw new Error('qrcode has no toDataURL');
    kit = { authenticator: otplib.authenticator, toDataURL: (text) => toDataURL(text) };
  } catch (error) {
    throw new EmulatorConfigError(`${MISSING_TOTP_PACKAGES} (${(error as Error).message})`);
  }
}

function loaded(): TotpKit {
  if (!kit) throw new Error('unreachable: createWorkOSEmulator loads otplib and qrcode first');
  return kit;
}

/** 20 random bytes: the 32-character base32 secret WorkOS hands out. */
export function newTotpSecret(): string {
  return loaded().authenticator.generateSecret(20);
}

export function totpUri(issuer: string, user: string, secret: string): string {
  return loaded().authenticator.keyuri(user, issuer, secret);
}

export function qrCodeDataUri(text: string): Promise<string> {
  return loaded().toDataURL(text);
}

/** Accepts the current step and one on either side, for clock drift between phone and server. */
export function verifyTotp(code: string, secret: string, nowMs: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return loaded().authenticator.clone({ epoch: nowMs, window: 1 }).check(code, secret);
}
