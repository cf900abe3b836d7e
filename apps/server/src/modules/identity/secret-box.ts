import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for small secrets kept in the database (TOTP seeds). The key is derived with HKDF
 * from the server secret under its own label, so it is never the token-signing key itself.
 * Layout: version (1 byte) · IV (12) · tag (16) · ciphertext.
 */
export interface SecretBox {
  seal(plaintext: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

export function createSecretBox(serverSecret: string, label: string): SecretBox {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(serverSecret, 'utf8'), Buffer.alloc(0), `kassa:${label}`, 32),
  );
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), ciphertext]);
    },
    open(sealed) {
      if (sealed[0] !== 1 || sealed.length < 29) throw new Error('unknown sealed format');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
    },
  };
}
