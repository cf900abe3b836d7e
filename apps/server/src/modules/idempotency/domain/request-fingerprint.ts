import { createHmac } from 'node:crypto';
import { canonicalJson } from '../../../kernel/canonical-json.ts';

/**
 * Fields that hold secrets. Anything derived from a secret is that secret (a plain digest of a
 * card number, a CVC or a password is recovered by brute force), so a fingerprint never covers
 * one as sent: `dropped` fields are left out entirely (a CVC is kept in no form after the call;
 * passwords and codes are never part of "the same request"), and `digested` fields are replaced
 * by their own keyed digest, so a retry with another card or bank account under the same key is
 * still told apart.
 */
export const secretFields = {
  dropped: ['card.cvc', 'password', 'current_password', 'new_password', 'code'],
  digested: ['card.number', 'bank_account.account_number', 'bank_account.routing_number'],
} as const;

const dropped: ReadonlySet<string> = new Set(secretFields.dropped);
const digested: ReadonlySet<string> = new Set(secretFields.digested);

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/** The body with secret fields left out or replaced by `hmac:<hex>` (card numbers by digits). */
export function withoutSecrets(key: Buffer, value: unknown, path = ''): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => withoutSecrets(key, item, path === '' ? `${i}` : `${path}.${i}`));
  if (value === null || typeof value !== 'object') {
    if (!digested.has(path)) return value;
    const text = String(value);
    const normal = path === 'card.number' ? text.replace(/[^0-9]/g, '') : text;
    return `hmac:${hmac(key, `${path}\n${normal}`).toString('hex')}`;
  }
  const out: Record<string, unknown> = {};
  for (const [field, item] of Object.entries(value as Record<string, unknown>)) {
    const child = path === '' ? field : `${path}.${field}`;
    if (dropped.has(child)) continue;
    out[field] = withoutSecrets(key, item, child);
  }
  return out;
}

/**
 * What a request asks for, keyed: an HMAC (under a key kept outside the database) of the
 * method, route and a canonical form of the body (keys sorted, secrets removed), so the same
 * request re-sent with fields in another order still matches, and nothing stored can be
 * reversed without the key.
 */
export function requestFingerprint(
  key: Buffer,
  request: { method: string; route: string; params: unknown; body: unknown },
): Buffer {
  const what = { params: request.params ?? null, body: withoutSecrets(key, request.body ?? null) };
  return hmac(key, `${request.method.toUpperCase()} ${request.route}\n${canonicalJson(what)}`);
}

/**
 * Whether a stored fingerprint is the request's. An empty one is a key from before keyed
 * fingerprints (migration 0013 destroyed the plain digests): it matches, so a retry gets the
 * stored answer rather than a second effect.
 */
export function sameRequest(stored: Buffer, fingerprint: Buffer): boolean {
  return stored.length === 0 || stored.equals(fingerprint);
}
