import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

/**
 * AES-256-GCM for small secrets kept in the database (TOTP seeds, webhook signing secrets, bank
 * accounts), sealed under the keyring's versioned key-encryption keys, as the card vault's data
 * keys are: each label gets its own key derived (HKDF) from a KEK version, and every sealed
 * value names the version it was sealed under, so `kassa keys rotate` can re-seal values one by
 * one while both versions open them.
 *
 * Layout: 2 · version length (1 byte) · version (ASCII) · IV (12) · tag (16) · ciphertext; the
 * label and version are the associated data. Values of the first format (1 · IV · tag ·
 * ciphertext, under a key derived from the token-signing secret) still open with the secrets
 * given as `legacySecrets`, and count as stale until re-sealed.
 */
export interface SecretBox {
  seal(plaintext: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
  /** True when the value is not sealed under the current key: `kassa keys rotate` re-seals it. */
  stale(sealed: Buffer): boolean;
}

const formatVersioned = 2;
const formatLegacy = 1;

export function createSecretBox(
  keyring: () => Keyring,
  label: string,
  legacySecrets: readonly string[] = [],
): SecretBox {
  const derived = new Map<string, Buffer>();
  function keyFor(version: string): Buffer {
    const kek = keyring().keks.get(version);
    if (kek === undefined) throw new Error(`key-encryption key ${version} is not loaded`);
    const cacheKey = `${version}:${kek.toString('base64')}`;
    let key = derived.get(cacheKey);
    if (key === undefined) {
      key = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), `kassa:secret-box:${label}`, 32));
      derived.set(cacheKey, key);
    }
    return key;
  }
  const legacyKeys = legacySecrets.map((secret) =>
    Buffer.from(
      hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `kassa:${label}`, 32),
    ),
  );

  function openLegacy(sealed: Buffer): Buffer {
    if (sealed.length < 29) throw new Error('sealed value too short');
    for (const key of legacyKeys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
        decipher.setAuthTag(sealed.subarray(13, 29));
        return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
      } catch {
        // Sealed under another of the earlier secrets: try the next.
      }
    }
    throw new Error(`a ${label} value sealed under a retired token secret cannot be opened`);
  }

  function versionOf(sealed: Buffer): { version: string; bodyAt: number } {
    const length = sealed[1] ?? 0;
    return { version: sealed.subarray(2, 2 + length).toString('ascii'), bodyAt: 2 + length };
  }

  return {
    seal(plaintext) {
      const version = keyring().current;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(version), iv);
      cipher.setAAD(Buffer.from(`${label}:${version}`));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const name = Buffer.from(version, 'ascii');
      return Buffer.concat([
        Buffer.from([formatVersioned, name.length]),
        name,
        iv,
        cipher.getAuthTag(),
        ciphertext,
      ]);
    },
    open(sealed) {
      if (sealed[0] === formatLegacy) return openLegacy(sealed);
      if (sealed[0] !== formatVersioned) throw new Error('unknown sealed format');
      const { version, bodyAt } = versionOf(sealed);
      const decipher = createDecipheriv(
        'aes-256-gcm',
        keyFor(version),
        sealed.subarray(bodyAt, bodyAt + 12),
      );
      decipher.setAAD(Buffer.from(`${label}:${version}`));
      decipher.setAuthTag(sealed.subarray(bodyAt + 12, bodyAt + 28));
      return Buffer.concat([decipher.update(sealed.subarray(bodyAt + 28)), decipher.final()]);
    },
    stale(sealed) {
      return sealed[0] !== formatVersioned || versionOf(sealed).version !== keyring().current;
    },
  };
}
