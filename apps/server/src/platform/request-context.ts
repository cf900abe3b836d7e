/**
 * What a route reads of its request, framework-side: the caller (principal) and its checks, ids
 * from the path, page sizes, the Idempotency-Key as sent. Modules' routes use these; the HTTP
 * layer (http/) fills the request in. Nothing here knows a module.
 */
import type { FastifyRequest } from 'fastify';
import { KassaError } from '../kernel/errors.ts';
import { decodeId, encodeId, type IdPrefix } from '../kernel/ids.ts';
import type { Principal } from '../kernel/principal.ts';

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

/**
 * The administrator: the bootstrap operator key (KASSA_OPERATOR_KEY). It alone reaches the
 * ledger, funding, merchants and their keys, metrics and operator accounts.
 */
export function requireOperator(request: FastifyRequest): void {
  const principal = request.principal;
  if (principal?.kind !== 'operator')
    throw new KassaError(principal === null ? 'authentication_required' : 'forbidden');
  if (principal.operatorId !== null)
    throw new KassaError(
      'forbidden',
      'Named operator accounts work the fraud desk (reviews, lists, rules); this needs the administrator key.',
    );
}

/** Whether the caller is the administrator (the bootstrap operator key). */
export function isAdministrator(principal: Principal | null): boolean {
  return principal?.kind === 'operator' && principal.operatorId === null;
}

/**
 * The fraud desk: the administrator or a named operator account (the review queue, allow and
 * block lists, rule sets, backtests).
 */
export function requireFraudDesk(
  request: FastifyRequest,
): Extract<Principal, { kind: 'operator' }> {
  const principal = request.principal;
  if (principal?.kind !== 'operator')
    throw new KassaError(principal === null ? 'authentication_required' : 'forbidden');
  return principal;
}

/**
 * A named operator account (changes that need a second person: the bootstrap key is no one in
 * particular, so it cannot submit or approve them). Returns the account's id.
 */
export function requireNamedOperator(request: FastifyRequest): string {
  const { operatorId } = requireFraudDesk(request);
  if (operatorId === null) throw new KassaError('operator_account_required');
  return operatorId;
}

/** The audit actor of an operator request: `operator` (bootstrap key) or `operator:opr_…`. */
export function operatorActor(request: FastifyRequest): string {
  const { operatorId } = requireFraudDesk(request);
  return operatorId === null ? 'operator' : `operator:${encodeId('opr', operatorId)}`;
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === null) throw new KassaError('authentication_required');
  return request.principal;
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
