import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../kernel/canonical-json.ts';

/**
 * A digest of what a request asks for: method, route and a canonical form of the body (object
 * keys sorted), so that the same request re-sent with fields in another order still matches.
 */
export function requestFingerprint(method: string, path: string, body: unknown): Buffer {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n`)
    .update(canonicalJson(body ?? null))
    .digest();
}
