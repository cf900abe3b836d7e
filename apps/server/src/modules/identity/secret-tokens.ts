import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random, URL-safe secrets (merchant keys, refresh tokens, operator keys). */
export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** High-entropy secrets are stored as SHA-256 digests: never recoverable, cheap to look up. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
