import { createHmac } from 'node:crypto';

/**
 * TOTP (RFC 6238) with the parameters every authenticator app uses: HMAC-SHA-1, 6 digits,
 * 30-second steps. Pure: callers pass the time and the secret.
 */
export const totpDigits = 6;
export const totpStepSeconds = 30;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The HOTP value (RFC 4226) of a counter, as `digits` decimal digits. */
export function hotp(
  secret: Buffer,
  counter: bigint,
  digits = totpDigits,
  algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1',
): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary =
    (((mac[offset] ?? 0) & 0x7f) << 24) |
    ((mac[offset + 1] ?? 0) << 16) |
    ((mac[offset + 2] ?? 0) << 8) |
    (mac[offset + 3] ?? 0);
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

export function totpStep(now: Date): bigint {
  return BigInt(Math.floor(now.getTime() / 1000 / totpStepSeconds));
}

/**
 * The step a code belongs to, accepting one step either side of now (clock drift), or null.
 * Callers must refuse a step at or below the last one used (a code works once).
 */
export function matchTotp(secret: Buffer, code: string, now: Date): bigint | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const current = totpStep(now);
  for (const step of [current - 1n, current, current + 1n]) {
    if (hotp(secret, step) === code) return step;
  }
  return null;
}

export function otpauthUri(secret: Buffer, account: string, issuer = 'Kassa'): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(totpDigits),
    period: String(totpStepSeconds),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
