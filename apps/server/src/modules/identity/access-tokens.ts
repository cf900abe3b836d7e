import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export interface AccessTokenKeys {
  /** The key that signs new tokens. */
  readonly current: { readonly id: string; readonly secret: Uint8Array };
  /** Keys still accepted for verification (rotation without logging everyone out). */
  readonly accepted: ReadonlyMap<string, Uint8Array>;
}

export const tokenIssuer = 'kassa';
export const tokenAudience = 'kassa-api';

/** Derives a key id from the secret so that every process agrees on it without coordination. */
export function accessTokenKeysFromSecret(secret: string): AccessTokenKeys {
  const bytes = new TextEncoder().encode(secret);
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return { current: { id, secret: bytes }, accepted: new Map([[id, bytes]]) };
}

export async function signAccessToken(
  keys: AccessTokenKeys,
  claims: { readonly userId: string; readonly sessionFamilyId: string },
  now: Date,
  ttlSeconds: number,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sessionFamilyId })
    .setProtectedHeader({ alg: 'HS256', kid: keys.current.id, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(tokenIssuer)
    .setAudience(tokenAudience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(keys.current.secret);
}

/** Verifies with a pinned algorithm, issuer, audience, expiry and a known key id; null if not valid. */
export async function verifyAccessToken(
  keys: AccessTokenKeys,
  token: string,
  now: Date,
): Promise<{ userId: string; sessionFamilyId: string } | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const secret = header.kid === undefined ? undefined : keys.accepted.get(header.kid);
        if (secret === undefined) throw new Error('unknown key id');
        return secret;
      },
      {
        algorithms: ['HS256'],
        issuer: tokenIssuer,
        audience: tokenAudience,
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub'],
      },
    );
    if (typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string') return null;
    return { userId: payload.sub, sessionFamilyId: payload['sid'] };
  } catch {
    return null;
  }
}
