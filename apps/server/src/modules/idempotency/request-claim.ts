import type { FastifyReply, FastifyRequest } from 'fastify';
import { KassaError } from '../../kernel/errors.ts';
import { principalScope } from '../../kernel/principal.ts';
import { requestFingerprint } from './domain/request-fingerprint.ts';
import type { IdempotencyClaim, StoredResponse } from './idempotency-keys.ts';

/**
 * The request's idempotency claim: the `Idempotency-Key` header, scoped to the caller, with a
 * fingerprint of the route and body. `required` is true for every request that moves money.
 */
export function idempotencyClaim(
  request: FastifyRequest,
  required: boolean,
): IdempotencyClaim | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    if (required)
      throw new KassaError('idempotency_key_missing', undefined, { param: 'Idempotency-Key' });
    return null;
  }
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || key.length < 1 || key.length > 255 || Array.isArray(header)) {
    throw new KassaError('idempotency_key_invalid', undefined, { param: 'Idempotency-Key' });
  }
  return {
    scope: principalScope(request.principal),
    key,
    fingerprint: requestFingerprint(fingerprintKeyOf(request), {
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      params: request.params,
      body: request.body,
    }),
  };
}

function fingerprintKeyOf(request: FastifyRequest): Buffer {
  const key = request.fingerprintKey;
  if (key === null) throw new Error('the app was built without a fingerprint key');
  return key;
}

/** Sends a stored (possibly replayed) response. */
export function sendStored(
  reply: FastifyReply,
  response: StoredResponse & { replayed: boolean },
): FastifyReply {
  if (response.replayed) void reply.header('Idempotent-Replayed', 'true');
  return reply.code(response.statusCode).send(response.body);
}
