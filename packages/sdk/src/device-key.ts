import { base64url } from './base64url.ts';

/**
 * The install's signing key for one user (ECDSA P-256, ES256), made with WebCrypto so the same
 * code runs in browsers and Node.js. Only the public half is ever sent. In IndexedDB the private
 * half is a non-extractable CryptoKey: the page can sign with it but nobody can read it out.
 */
export interface DeviceIdentity {
  /** `dev_…`, once enrolled. */
  readonly id: string;
  readonly privateKey: CryptoKey;
}

/** A device key as stored: it belongs to one user, named by the email they logged in with. */
export interface StoredDevice extends DeviceIdentity {
  /** The user (the access token's subject) the device was enrolled for. */
  readonly owner: string;
  /** The email typed at log-in, so the next log-in can name this device (null when unknown). */
  readonly email: string | null;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/**
 * A new key pair. `extractable` is false wherever the storage can keep a CryptoKey (IndexedDB,
 * memory); only a JSON file needs a key it can export (the weaker mode, see fileStorage).
 */
export async function createDeviceKeyPair(extractable: boolean): Promise<{
  publicJwk: JsonWebKey;
  privateKey: CryptoKey;
}> {
  const pair = await crypto.subtle.generateKey(algorithm, extractable, ['sign', 'verify']);
  // The public half of a pair is always exportable; only its coordinates travel (never `d`).
  const {
    kty = 'EC',
    crv = 'P-256',
    x = '',
    y = '',
  } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { publicJwk: { kty, crv, x, y }, privateKey: pair.privateKey };
}

/** A private key kept as JWK (older SDK versions, or a state file) as a signing CryptoKey. */
export function importPrivateJwk(jwk: JsonWebKey, extractable: boolean): Promise<CryptoKey> {
  // Only the key itself: old exports carry `key_ops`/`ext` that would conflict with `extractable`.
  const key: JsonWebKey = { kty: jwk.kty ?? 'EC', crv: jwk.crv ?? 'P-256' };
  for (const name of ['x', 'y', 'd'] as const) {
    const value = jwk[name];
    if (value !== undefined) key[name] = value;
  }
  return crypto.subtle.importKey('jwk', key, algorithm, extractable, ['sign']);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The `Kassa-Device` and `Kassa-Signature` headers of one attempt. The signature covers the
 * method, the path, the SHA-256 of the exact body, the time and the Idempotency-Key, so it is
 * made at send time (Kassa refuses signatures older than 5 minutes, and each only once).
 */
export async function signatureHeaders(
  device: DeviceIdentity,
  request: { method: string; path: string; body: string; idempotencyKey: string },
  nowMs: number,
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const input = [
    request.method.toUpperCase(),
    request.path,
    await sha256Hex(request.body),
    timestamp,
    request.idempotencyKey,
  ].join('\n');
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    device.privateKey,
    new TextEncoder().encode(input),
  );
  return {
    'Kassa-Device': device.id,
    'Kassa-Signature': `t=${timestamp},sig=${base64url(signature)}`,
  };
}
