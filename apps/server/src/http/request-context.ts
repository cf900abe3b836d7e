import type { FastifyReply, FastifyRequest } from 'fastify';
import { KassaError } from '../kernel/errors.ts';
import { decodeId, type IdPrefix } from '../kernel/ids.ts';
import { principalScope, type Principal } from '../kernel/principal.ts';
import {
  requestFingerprint,
  type IdempotencyClaim,
  type StoredResponse,
} from '../modules/idempotency/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The JSON body exactly as received (for device signatures). */
    rawBody?: string;
    /** The key of request fingerprints (HMAC; kept outside the database). */
    fingerprintKey: Buffer | null;
  }
  interface FastifyContextConfig {
    /** Reachable without credentials (sign-up, log-in, health, docs). */
    public?: boolean;
    /** Which rate limit applies: per client address (`auth`) or per caller (`money`). */
    rateLimit?: 'auth' | 'money';
  }
}

export function requireUser(request: FastifyRequest): Extract<Principal, { kind: 'user' }> {
  const principal = request.principal;
  if (principal?.kind !== 'user')
    throw new KassaError(principal === null ? 'authentication_required' : 'forbidden');
  return principal;
}

export function requireMerchant(request: FastifyRequest): Extract<Principal, { kind: 'merchant' }> {
  const principal = request.principal;
  if (principal?.kind !== 'merchant')
    throw new KassaError(principal === null ? 'authentication_required' : 'forbidden');
  return principal;
}

export function requireOperator(request: FastifyRequest): void {
  const principal = request.principal;
  if (principal?.kind !== 'operator')
    throw new KassaError(principal === null ? 'authentication_required' : 'forbidden');
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === null) throw new KassaError('authentication_required');
  return request.principal;
}

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

/** Decodes a wire id or answers 404: an id of the wrong shape names nothing the caller owns. */
export function idOrNotFound(prefix: IdPrefix, wire: string, param = 'id'): string {
  const uuid = decodeId(prefix, wire);
  if (uuid === null) throw new KassaError('resource_not_found', undefined, { param });
  return uuid;
}

export function pageLimit(raw: string | undefined): number {
  return raw === undefined ? 10 : Number.parseInt(raw, 10);
}

const sentIdempotencyKeys = new WeakMap<FastifyRequest, string>();

/** Keeps the Idempotency-Key as the client sent it, before card numbers in it are masked. */
export function rememberSentIdempotencyKey(request: FastifyRequest, key: string): void {
  sentIdempotencyKeys.set(request, key);
}

/** The Idempotency-Key as sent (device signatures cover it so); '' when none was sent. */
export function sentIdempotencyKey(request: FastifyRequest): string {
  const sent = sentIdempotencyKeys.get(request);
  if (sent !== undefined) return sent;
  const header = request.headers['idempotency-key'];
  return typeof header === 'string' ? header : '';
}
