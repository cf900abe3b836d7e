import { fromBase64url } from './base64url.ts';

/**
 * The user an access token was issued to (its `sub` claim), or null when the token is not a JWT
 * with a subject. The SDK does not verify the token (Kassa does, on every request): it only needs
 * to know whose queue and device key to use.
 */
export function tokenSubject(accessToken: string): string | null {
  const payload = fromBase64url(accessToken.split('.')[1] ?? '');
  if (payload === null) return null;
  try {
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    const subject =
      typeof claims === 'object' && claims !== null ? (claims as { sub?: unknown }).sub : undefined;
    return typeof subject === 'string' && subject !== '' ? subject : null;
  } catch {
    return null;
  }
}
