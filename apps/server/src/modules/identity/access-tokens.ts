import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Access tokens are JWTs (RFC 7519) signed with HMAC-SHA256. Verification is deliberately
 * strict and synchronous: the algorithm is pinned to HS256 (no `none`, no key confusion), the key
 * id must be one we know, and issuer, audience, expiry and subject are required. Node's HMAC is
 * used directly because it costs microseconds, where a WebCrypto round trip per request cost a
 * quarter of the API's CPU in the benchmark (docs/performance.md).
 */
export interface AccessTokenKeys {
  /** The key that signs new tokens. */
  readonly current: { readonly id: string; readonly secret: Buffer };
  /** Keys still accepted for verification (rotation without logging everyone out). */
  readonly accepted: ReadonlyMap<string, Buffer>;
}

export const tokenIssuer = 'kassa';
export const tokenAudience = 'kassa-api';

/** Derives a key id from the secret so that every process agrees on it without coordination. */
export function accessTokenKeysFromSecret(
  secret: string,
  previous: readonly string[] = [],
): AccessTokenKeys {
  const keyOf = (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 16), secret: bytes };
  };
  const current = keyOf(secret);
  const accepted = new Map([current, ...previous.map(keyOf)].map((k) => [k.id, k.secret]));
  return { current, accepted };
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function signature(secret: Buffer, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

export interface AccessTokenClaims {
  readonly userId: string;
  readonly sessionFamilyId: string;
  /** The device the session is bound to (its key signs the session's money requests). */
  readonly deviceId: string | null;
}

export interface VerifiedAccessToken extends AccessTokenClaims {
  readonly expiresAt: Date;
}

export async function signAccessToken(
  keys: AccessTokenKeys,
  claims: AccessTokenClaims,
  now: Date,
  ttlSeconds: number,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', kid: keys.current.id, typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      sub: claims.userId,
      sid: claims.sessionFamilyId,
      // A session opened on an enrolled device is bound to it: its money requests must be
      // signed by that device's key.
      ...(claims.deviceId === null ? {} : { dev: claims.deviceId }),
      iss: tokenIssuer,
      aud: tokenAudience,
      iat: issuedAt,
      exp: issuedAt + ttlSeconds,
    }),
  );
  return Promise.resolve(
    `${header}.${payload}.${base64url(signature(keys.current.secret, `${header}.${payload}`))}`,
  );
}

function parseJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Verifies a token; null when it is not valid in any way (the caller answers 401). */
export async function verifyAccessToken(
  keys: AccessTokenKeys,
  token: string,
  now: Date,
): Promise<VerifiedAccessToken | null> {
  return Promise.resolve(verifySync(keys, token, now));
}

function verifySync(keys: AccessTokenKeys, token: string, now: Date): VerifiedAccessToken | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = parseJson(headerPart);
  if (header === null || header['alg'] !== 'HS256' || typeof header['kid'] !== 'string')
    return null;
  if (header['crit'] !== undefined) return null;
  const secret = keys.accepted.get(header['kid']);
  if (secret === undefined) return null;
  const expected = signature(secret, `${headerPart}.${payloadPart}`);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const payload = parseJson(payloadPart);
  if (payload === null) return null;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { sub, sid, iss, aud, exp, iat, dev } = payload;
  if (iss !== tokenIssuer || aud !== tokenAudience) return null;
  if (
    typeof exp !== 'number' ||
    typeof iat !== 'number' ||
    exp <= nowSeconds ||
    iat > nowSeconds + 60
  )
    return null;
  if (typeof sub !== 'string' || typeof sid !== 'string') return null;
  if (dev !== undefined && typeof dev !== 'string') return null;
  return {
    userId: sub,
    sessionFamilyId: sid,
    deviceId: dev ?? null,
    expiresAt: new Date(exp * 1000),
  };
}
