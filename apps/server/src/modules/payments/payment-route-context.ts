import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { isCurrency, type Currency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
import { operatorActor } from '../../platform/request-context.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { ReadCache } from '../../platform/redis-cache.ts';
import { recordAudit } from '../audit/index.ts';
import { sendStored } from '../idempotency/index.ts';
import type { StepUpVerifier, WalletRecord } from '../identity/index.ts';
import type { Ledger } from '../ledger/index.ts';
import { createDirectory, type Directory } from './directory.ts';
import type { CommandResponse } from './money-command.ts';
import type { RiskEngine } from '../risk/index.ts';
import type { Recipients } from './recipients.ts';
import type { StepUpPolicy } from './step-up-policy.ts';
import type { SystemAccounts } from './system-accounts.ts';

export interface PaymentRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly systemAccounts: SystemAccounts;
  readonly metrics: Metrics;
  readonly holdTtlSeconds: number;
  /** How long a payment may wait in `requires_action` for its code. */
  readonly stepUpExpirySeconds: number;
  /** Display balances (Redis; absent or down: every read goes to PostgreSQL). */
  readonly cache: ReadCache;
  /** Whether a transfer or payment needs a second factor (spend windows, device, policy). */
  readonly stepUp: StepUpPolicy;
  readonly verifier: StepUpVerifier;
  /** Finds recipients without becoming an oracle of who has an account. */
  readonly recipients: Recipients;
  /** The fraud engine: a decision on every transfer and payment before it posts. */
  readonly risk: RiskEngine;
  /** How long a payment held for review waits for an operator. */
  readonly reviewTtlSeconds: number;
}

export function currencyOf(value: string): Currency {
  if (!isCurrency(value))
    throw new KassaError('invalid_currency', `Currency ${value} is not supported.`, {
      param: 'currency',
    });
  return value;
}

export async function walletIn(
  directory: Directory,
  userId: string,
  currency: Currency,
): Promise<WalletRecord> {
  const wallet = await directory.userWallet(userId, currency);
  if (wallet === undefined) {
    throw new KassaError('currency_mismatch', `You have no ${currency} wallet.`, {
      param: 'currency',
    });
  }
  return wallet;
}

/** What every payment route shares: the deps, the directory, and the reply and audit steps. */
export interface PaymentRouteContext extends PaymentRouteDeps {
  readonly directory: Directory;
  readonly audit: (
    request: FastifyRequest,
    response: CommandResponse,
    action: string,
    object: string,
  ) => Promise<void>;
  readonly send: (reply: FastifyReply, kind: string, response: CommandResponse) => FastifyReply;
}

export function paymentRouteContext(deps: PaymentRouteDeps): PaymentRouteContext {
  const { db, clock, metrics } = deps;
  const directory = createDirectory(db);

  /** Operator and refund actions are security-relevant: audited once they succeed. */
  async function audit(
    request: FastifyRequest,
    response: CommandResponse,
    action: string,
    object: string,
  ): Promise<void> {
    if (response.replayed || response.statusCode >= 300) return;
    const principal = request.principal;
    const actor =
      principal === null
        ? 'anonymous'
        : principal.kind === 'operator'
          ? operatorActor(request)
          : principal.kind === 'merchant'
            ? `merchant:${principal.merchantId}`
            : `user:${principal.userId}`;
    await recordAudit(
      db,
      {
        actor,
        action,
        object,
        outcome: 'success',
        ip: request.ip,
        details: { response_id: (response.body as { id?: string }).id },
      },
      clock.now(),
    );
  }

  function send(reply: FastifyReply, kind: string, response: CommandResponse): FastifyReply {
    const outcome = response.replayed
      ? 'replayed'
      : response.statusCode < 300
        ? 'succeeded'
        : `declined`;
    metrics.payments.inc({ kind, outcome });
    return sendStored(reply, response);
  }

  return { ...deps, directory, audit, send };
}
