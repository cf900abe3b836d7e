/**
 * The install's signing key (ECDSA P-256, ES256), made with WebCrypto so the same code runs in
 * browsers and Node.js. Only the public half is ever sent; the private half stays in the
 * SDK's storage on the device.
 */
export interface DeviceIdentity {
  /** `dev_…`, once enrolled. */
  readonly id: string;
  readonly privateJwk: JsonWebKey;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function createDeviceKeyPair(): Promise<{
  publicJwk: JsonWebKey;
  privateJwk: JsonWebKey;
}> {
  const pair = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  // Only the public coordinates travel (no `key_ops`, `ext`, and never `d`).
  const { kty = 'EC', crv = 'P-256', x = '', y = '' } = publicJwk;
  return { publicJwk: { kty, crv, x, y }, privateJwk };
}

function base64url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
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
  const key = await crypto.subtle.importKey('jwk', device.privateJwk, algorithm, false, ['sign']);
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    new TextEncoder().encode(input),
  );
  return {
    'Kassa-Device': device.id,
    'Kassa-Signature': `t=${timestamp},sig=${base64url(signature)}`,
  };
}
