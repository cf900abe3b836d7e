import { assert } from '../../kernel/assert.ts';
import { KassaError } from '../../kernel/errors.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { DbClient } from '../../platform/db.ts';
import { sameRequest, type IdempotencyClaim, type StoredResponse } from '../idempotency/index.ts';
import { appendEvents } from '../journal/index.ts';
import { transferFlags } from '../ledger/index.ts';
import {
  insertPayment,
  newPaymentRecord,
  selectPayment,
  type PaymentRecord,
} from '../payments/index.ts';
import type { RiskAssessment } from '../risk/index.ts';
import { refundCapture, settle, type Settled } from './flow-settlement.ts';
import { insertFlow, selectFlowByKey, takeLease, type FlowRecord } from './flow-store.ts';
import { callProcessor, type BankAccount } from './processor-calls.ts';
import type { RailsContext } from './rails-context.ts';
import { flowView } from './rails-views.ts';

export type FlowResponse = StoredResponse & { readonly replayed: boolean };

export interface TopupRequest {
  userId: string;
  claim: IdempotencyClaim;
  paymentMethodId: string;
  amount: bigint;
  currency: Currency;
  /** The risk engine's decision, stored with the top-up. */
  risk: RiskAssessment | null;
}

export interface PayoutRequest {
  userId: string;
  claim: IdempotencyClaim;
  amount: bigint;
  currency: Currency;
  bankAccount: BankAccount;
  /** The risk engine's decision, stored with the payout. */
  risk: RiskAssessment | null;
}

/** A refusal that stores nothing: phase 1 rolls back and the client may retry the same key. */
class KeyTakenMeanwhile extends Error {}

function refuseWhileUnavailable({ deps }: RailsContext): void {
  if (deps.processor === null)
    throw new KassaError('processor_unavailable', 'PROCESSOR_URL is not configured');
  // Open, or half-open with its one probe already out: this call could not go.
  const waitMs = deps.breaker.retryAfterMs();
  if (waitMs > 0)
    throw new KassaError('processor_unavailable', 'processor circuit open', {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
}

async function walletFor(
  { deps }: RailsContext,
  userId: string,
  currency: Currency,
): Promise<string> {
  const rows = await deps.db.query<{ id: string }>(
    'select id from wallets where user_id = $1 and currency = $2',
    [userId, currency],
  );
  const wallet = rows[0];
  if (wallet === undefined)
    throw new KassaError('wallet_not_found', undefined, { param: 'currency' });
  return wallet.id;
}

/**
 * Phase 1. `extra` runs inside the transaction (a payout's hold). Returns false when another
 * request took the key first (the caller then resumes that one).
 */
async function begin(
  { deps }: RailsContext,
  payment: PaymentRecord,
  flow: FlowRecord,
  extra: (client: DbClient) => Promise<void>,
): Promise<boolean> {
  try {
    await deps.db.transaction(async (client) => {
      await insertPayment(client, payment);
      await extra(client);
      // A concurrent request with the same key blocks here until the first commits, then
      // finds the key taken and rolls all of this back.
      if (!(await insertFlow(client, flow))) throw new KeyTakenMeanwhile();
      await appendEvents(client, [
        {
          type: flow.kind === 'topup' ? 'topup.started' : 'payout.started',
          streamId: payment.id,
          data: {
            id: payment.id,
            amount: payment.amount,
            currency: payment.currency,
            processor_key: flow.processorKey,
          },
        },
      ]);
    });
    return true;
  } catch (error) {
    if (error instanceof KeyTakenMeanwhile) return false;
    throw error;
  }
}

function newFlow(
  context: RailsContext,
  payment: PaymentRecord,
  claim: IdempotencyClaim,
  fields: Pick<
    FlowRecord,
    'kind' | 'paymentMethodId' | 'bankAccountSealed' | 'bankLast4' | 'holdTransferId'
  >,
): FlowRecord {
  const now = payment.createdAt;
  return {
    ...fields,
    paymentId: payment.id,
    scope: claim.scope,
    key: claim.key,
    requestSha256: claim.fingerprint,
    recoveryPoint: 'started',
    processorKey: `kassa_${fields.kind}_${payment.id}`,
    processorObjectId: null,
    actionUrl: null,
    ledgerTransferId: newUuid(),
    attempts: 1,
    leaseUntil: context.leaseFrom(now),
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
  };
}

export async function startTopup(
  context: RailsContext,
  input: TopupRequest,
): Promise<FlowResponse> {
  const { deps } = context;
  const existing = await selectFlowByKey(deps.db.pool, input.claim.scope, input.claim.key);
  if (existing !== null) return resume(context, existing, input.claim);
  const cards = await deps.db.query<{ id: string }>(
    'select id from vault_cards where id = $1 and user_id = $2 and deleted_at is null',
    [input.paymentMethodId, input.userId],
  );
  if (cards[0] === undefined)
    throw new KassaError('payment_method_not_found', undefined, { param: 'payment_method' });
  const walletId = await walletFor(context, input.userId, input.currency);
  refuseWhileUnavailable(context);
  const clearing = await deps.systemAccounts.accountId('card_clearing', input.currency);
  const payment = newPaymentRecord(
    {
      id: newUuid(),
      kind: 'topup',
      status: 'processing',
      payerUserId: input.userId,
      payerAccountId: clearing,
      payeeUserId: input.userId,
      merchantId: null,
      payeeAccountId: walletId,
      amount: input.amount,
      currency: input.currency,
      description: null,
      risk: input.risk,
    },
    deps.clock.now(),
  );
  const flow = newFlow(context, payment, input.claim, {
    kind: 'topup',
    paymentMethodId: input.paymentMethodId,
    bankAccountSealed: null,
    bankLast4: null,
    holdTransferId: null,
  });
  if (!(await begin(context, payment, flow, async () => {})))
    return resumeByKey(context, input.claim);
  context.crashPoint('topup.started');
  return drive(context, flow, payment, false);
}

export async function startPayout(
  context: RailsContext,
  input: PayoutRequest,
): Promise<FlowResponse> {
  const { deps } = context;
  const existing = await selectFlowByKey(deps.db.pool, input.claim.scope, input.claim.key);
  if (existing !== null) return resume(context, existing, input.claim);
  const walletId = await walletFor(context, input.userId, input.currency);
  refuseWhileUnavailable(context);
  const payoutsAccount = await deps.systemAccounts.accountId('payouts', input.currency);
  const payment = newPaymentRecord(
    {
      id: newUuid(),
      kind: 'payout',
      status: 'processing',
      payerUserId: input.userId,
      payerAccountId: walletId,
      payeeUserId: null,
      merchantId: null,
      payeeAccountId: payoutsAccount,
      amount: input.amount,
      currency: input.currency,
      description: null,
      risk: input.risk,
    },
    deps.clock.now(),
  );
  const holdId = newUuid();
  const flow = newFlow(context, payment, input.claim, {
    kind: 'payout',
    paymentMethodId: null,
    bankAccountSealed: deps.bankBox.seal(Buffer.from(JSON.stringify(input.bankAccount))),
    bankLast4: input.bankAccount.account_number.slice(-4),
    holdTransferId: holdId,
  });
  const began = await begin(context, payment, flow, async (client) => {
    // The hold: the money leaves the wallet's available balance now and is posted or
    // voided when the bank answers. No timeout: a payout in flight must never expire.
    const [outcome] = await deps.ledger.postInTransaction(client, [
      {
        id: holdId,
        debitAccountId: walletId,
        creditAccountId: payoutsAccount,
        amount: input.amount,
        code: 'payout_hold',
        flags: transferFlags.pending,
      },
    ]);
    if (outcome?.status === 'rejected') {
      if (outcome.code === 'exceeds_credits') throw new KassaError('insufficient_funds');
      if (outcome.code.startsWith('overflows')) throw new KassaError('amount_too_large');
      assert(false, `unexpected rejection of a payout hold: ${outcome.code}`);
    }
  });
  if (!began) return resumeByKey(context, input.claim);
  deps.onAccountsChanged?.([walletId]);
  context.crashPoint('payout.started');
  return drive(context, flow, payment, false);
}

async function resumeByKey(context: RailsContext, claim: IdempotencyClaim): Promise<FlowResponse> {
  const flow = await selectFlowByKey(context.deps.db.pool, claim.scope, claim.key);
  assert(flow !== null, 'a key taken meanwhile has its flow committed');
  return resume(context, flow, claim);
}

/** A retry with a known key: the finished answer, or the flow driven on from where it stopped. */
async function resume(
  context: RailsContext,
  flow: FlowRecord,
  claim: IdempotencyClaim,
): Promise<FlowResponse> {
  const { deps } = context;
  if (!sameRequest(flow.requestSha256, claim.fingerprint))
    throw new KassaError('idempotency_key_reused', undefined, { param: 'Idempotency-Key' });
  const payment = await selectPayment(deps.db.pool, flow.paymentId);
  assert(payment !== null, 'a flow has its payment');
  if (flow.recoveryPoint === 'finished')
    return { statusCode: 201, body: flowView(payment, flow), replayed: true };
  const now = deps.clock.now();
  if (!(await takeLease(deps.db.pool, flow.paymentId, now, context.leaseFrom(now)))) {
    throw new KassaError('idempotency_key_in_progress', undefined, {
      retryAfterSeconds: Math.max(1, Math.ceil((flow.leaseUntil.getTime() - now.getTime()) / 1000)),
    });
  }
  return drive(context, flow, payment, true);
}

/** Phase 2 and 3, holding the flow's lease. */
async function drive(
  context: RailsContext,
  flow: FlowRecord,
  payment: PaymentRecord,
  replayed: boolean,
): Promise<FlowResponse> {
  let response: Settled;
  if (flow.recoveryPoint === 'refunding') {
    response = await refundCapture(context, flow.paymentId, 'request');
  } else {
    const outcome = await callProcessor(context, flow, payment);
    context.crashPoint(`${flow.kind}.processor_answered`);
    response = await settle(context, flow.paymentId, outcome, 'request');
    if (response.refundDue) response = await refundCapture(context, flow.paymentId, 'request');
  }
  if (response.statusCode === 201) context.crashPoint(`${flow.kind}.finished`);
  return { statusCode: response.statusCode, body: response.body, replayed };
}
