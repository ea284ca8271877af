// TOTP as WorkOS does it (RFC 6238: SHA-1, 6 digits, 30 s steps), through otplib rather than a
// hand-written HMAC, and checked against the emulator's clock so tests can move time.
import { authenticator } from 'otplib';
import QRCode from 'qrcode';

/** 20 random bytes: the 32-character base32 secret WorkOS hands out. */
export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

export function totpUri(issuer: string, user: string, secret: string): string {
  return authenticator.keyuri(user, issuer, secret);
}

export function qrCodeDataUri(text: string): Promise<string> {
  return QRCode.toDataURL(text);
}

/** Accepts the current step and one on either side, for clock drift between phone and server. */
export function verifyTotp(code: string, secret: string, nowMs: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return authenticator.clone({ epoch: nowMs, window: 1 }).check(code, secret);
}
