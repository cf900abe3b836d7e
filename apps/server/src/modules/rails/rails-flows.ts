import { assert } from '../../kernel/assert.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { CircuitBreaker } from '../../platform/circuit-breaker.ts';
import { unnestParams, type Db, type DbClient, type Queryable } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { sameRequest, type IdempotencyClaim, type StoredResponse } from '../idempotency/index.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import { appendPublicEvents } from '../events/index.ts';
import { appendEvents } from '../journal/index.ts';
import { transferFlags, type Ledger, type TransferInput } from '../ledger/index.ts';
import {
  insertPaymentsSql,
  newPaymentRecord,
  paymentChangeRow,
  paymentEvents,
  paymentRow,
  paymentWireId,
  selectPayment,
  updatePaymentsSql,
  type PaymentRecord,
  type SystemAccounts,
} from '../payments/index.ts';
import type { CardVault } from '../vault/index.ts';
import {
  flowOutcome,
  refundOutcome,
  retryDelayMs,
  type FlowOutcome,
  type RefundOutcome,
} from './domain/flow-outcome.ts';
import {
  insertFlow,
  markActionRequired,
  markFinished,
  markRefunding,
  releaseLease,
  selectDueFlows,
  selectFlow,
  selectFlowByKey,
  takeLease,
  type FlowKind,
  type FlowRecord,
} from './flow-store.ts';
import type { ProcessorClient } from './processor-client.ts';
import { flowView } from './rails-views.ts';

export interface RailsDeps {
  readonly db: Db;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly vault: Pick<CardVault, 'revealForProcessor'>;
  readonly systemAccounts: SystemAccounts;
  /** Absent when no processor is configured: top-ups and payouts are refused. */
  readonly processor: ProcessorClient | null;
  readonly breaker: CircuitBreaker;
  /** Seals bank account details at rest. */
  readonly bankBox: SecretBox;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** How long a driver may hold a flow: longer than all attempts of one call together. */
  readonly leaseMs: number;
  /** Unfinished flows idle this long are resolved by the worker. */
  readonly resolveAfterSeconds: number;
  /** A charge waiting for 3-D Secure longer than this is canceled and the top-up failed. */
  readonly authenticationTimeoutMs: number;
  /** Recovery points at which to die (crash tests only; see config `crashPoints`). */
  readonly crashPoints: readonly string[];
  /** After a commit that changed balances (cached display views are dropped). */
  readonly onAccountsChanged?: (accountIds: readonly string[]) => void;
  readonly random?: () => number;
}

export type FlowResponse = StoredResponse & { readonly replayed: boolean };

/** A flow's answer after an attempt; `refundDue`: a captured top-up must now be refunded. */
type Settled = StoredResponse & { readonly refundDue: boolean };

type Settler = 'request' | 'worker' | 'callback';

export interface BankAccount {
  readonly country: string;
  readonly account_number: string;
  readonly routing_number: string;
}

/** A refusal that stores nothing: phase 1 rolls back and the client may retry the same key. */
class KeyTakenMeanwhile extends Error {}

/**
 * Top-ups and payouts: payments that go through the processor, as atomic phases with recovery
 * points (Brandur Leach, "Implementing Stripe-like idempotency keys in Postgres"):
 *
 * 1. `started` — one transaction creates the payment and its flow (and a payout's hold on the
 *    wallet). The flow is the request's idempotency record.
 * 2. the processor call, with a key derived from the payment (`kassa_<kind>_<payment id>`), so
 *    every retry of this flow by any process is one call as far as the processor is concerned.
 * 3. `finished` — one transaction records the outcome: the ledger transfer (credit, post or
 *    void of the hold), the payment's status and a journal event.
 *
 * A crash between phases leaves a `started` flow; whoever comes next (the client retrying with
 * the same key, the worker, or a processor callback) resumes it. A call with no answer leaves
 * the payment `outcome_unknown`, never `failed`: the worker asks the processor what happened.
 * A captured top-up whose credit the ledger refuses (the wallet would pass 2^53 - 1) moves to
 * `refunding` in that same transaction: it is refunded at the processor, then `failed`.
 */
export function createRails(deps: RailsDeps) {
  const random = deps.random ?? Math.random;

  function crashPoint(name: string): void {
    if (deps.crashPoints.includes(name)) process.kill(process.pid, 'SIGKILL');
  }

  function refuseWhileUnavailable(): void {
    if (deps.processor === null)
      throw new KassaError('processor_unavailable', 'PROCESSOR_URL is not configured');
    // Open, or half-open with its one probe already out: this call could not go.
    const waitMs = deps.breaker.retryAfterMs();
    if (waitMs > 0)
      throw new KassaError('processor_unavailable', 'processor circuit open', {
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      });
  }

  async function walletFor(userId: string, currency: Currency): Promise<string> {
    const rows = await deps.db.query<{ id: string }>(
      'select id from wallets where user_id = $1 and currency = $2',
      [userId, currency],
    );
    const wallet = rows[0];
    if (wallet === undefined)
      throw new KassaError('wallet_not_found', undefined, { param: 'currency' });
    return wallet.id;
  }

  function leaseFrom(now: Date): Date {
    return new Date(now.getTime() + deps.leaseMs);
  }

  /**
   * Phase 1. `extra` runs inside the transaction (a payout's hold). Returns null when another
   * request took the key first (the caller then resumes that one).
   */
  async function begin(
    payment: PaymentRecord,
    flow: FlowRecord,
    extra: (client: DbClient) => Promise<void>,
  ): Promise<boolean> {
    try {
      await deps.db.transaction(async (client) => {
        await client.query(insertPaymentsSql, unnestParams([paymentRow(payment)]));
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
      leaseUntil: leaseFrom(now),
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
    };
  }

  async function startTopup(input: {
    userId: string;
    claim: IdempotencyClaim;
    paymentMethodId: string;
    amount: bigint;
    currency: Currency;
  }): Promise<FlowResponse> {
    const existing = await selectFlowByKey(deps.db.pool, input.claim.scope, input.claim.key);
    if (existing !== null) return resume(existing, input.claim);
    const cards = await deps.db.query<{ id: string }>(
      'select id from vault_cards where id = $1 and user_id = $2 and deleted_at is null',
      [input.paymentMethodId, input.userId],
    );
    if (cards[0] === undefined)
      throw new KassaError('payment_method_not_found', undefined, { param: 'payment_method' });
    const walletId = await walletFor(input.userId, input.currency);
    refuseWhileUnavailable();
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
      },
      deps.clock.now(),
    );
    const flow = newFlow(payment, input.claim, {
      kind: 'topup',
      paymentMethodId: input.paymentMethodId,
      bankAccountSealed: null,
      bankLast4: null,
      holdTransferId: null,
    });
    if (!(await begin(payment, flow, async () => {}))) return resumeByKey(input.claim);
    crashPoint('topup.started');
    return drive(flow, payment, false);
  }

  async function startPayout(input: {
    userId: string;
    claim: IdempotencyClaim;
    amount: bigint;
    currency: Currency;
    bankAccount: BankAccount;
  }): Promise<FlowResponse> {
    const existing = await selectFlowByKey(deps.db.pool, input.claim.scope, input.claim.key);
    if (existing !== null) return resume(existing, input.claim);
    const walletId = await walletFor(input.userId, input.currency);
    refuseWhileUnavailable();
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
      },
      deps.clock.now(),
    );
    const holdId = newUuid();
    const flow = newFlow(payment, input.claim, {
      kind: 'payout',
      paymentMethodId: null,
      bankAccountSealed: deps.bankBox.seal(Buffer.from(JSON.stringify(input.bankAccount))),
      bankLast4: input.bankAccount.account_number.slice(-4),
      holdTransferId: holdId,
    });
    const began = await begin(payment, flow, async (client) => {
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
    if (!began) return resumeByKey(input.claim);
    deps.onAccountsChanged?.([walletId]);
    crashPoint('payout.started');
    return drive(flow, payment, false);
  }

  async function resumeByKey(claim: IdempotencyClaim): Promise<FlowResponse> {
    const flow = await selectFlowByKey(deps.db.pool, claim.scope, claim.key);
    assert(flow !== null, 'a key taken meanwhile has its flow committed');
    return resume(flow, claim);
  }

  /** A retry with a known key: the finished answer, or the flow driven on from where it stopped. */
  async function resume(flow: FlowRecord, claim: IdempotencyClaim): Promise<FlowResponse> {
    if (!sameRequest(flow.requestSha256, claim.fingerprint))
      throw new KassaError('idempotency_key_reused', undefined, { param: 'Idempotency-Key' });
    const payment = await selectPayment(deps.db.pool, flow.paymentId);
    assert(payment !== null, 'a flow has its payment');
    if (flow.recoveryPoint === 'finished')
      return { statusCode: 201, body: flowView(payment, flow), replayed: true };
    const now = deps.clock.now();
    if (!(await takeLease(deps.db.pool, flow.paymentId, now, leaseFrom(now)))) {
      throw new KassaError('idempotency_key_in_progress', undefined, {
        retryAfterSeconds: Math.max(
          1,
          Math.ceil((flow.leaseUntil.getTime() - now.getTime()) / 1000),
        ),
      });
    }
    return drive(flow, payment, true);
  }

  /** Phase 2 and 3, holding the flow's lease. */
  async function drive(
    flow: FlowRecord,
    payment: PaymentRecord,
    replayed: boolean,
  ): Promise<FlowResponse> {
    let response: Settled;
    if (flow.recoveryPoint === 'refunding') {
      response = await refundCapture(flow.paymentId, 'request');
    } else {
      const outcome = await callProcessor(flow, payment);
      crashPoint(`${flow.kind}.processor_answered`);
      response = await settle(flow.paymentId, outcome, 'request');
      if (response.refundDue) response = await refundCapture(flow.paymentId, 'request');
    }
    if (response.statusCode === 201) crashPoint(`${flow.kind}.finished`);
    return { statusCode: response.statusCode, body: response.body, replayed };
  }

  async function callProcessor(flow: FlowRecord, payment: PaymentRecord): Promise<FlowOutcome> {
    const processor = deps.processor;
    if (processor === null) return { result: 'unknown', reason: 'no processor configured' };
    const expected = { kind: flow.kind, amount: payment.amount, currency: payment.currency };
    if (flow.kind === 'topup' && flow.processorObjectId !== null) {
      // The charge exists and waited for 3-D Secure: its current state, not the stored
      // answer to the original call, says whether the cardholder confirmed.
      return flowOutcome(expected, await processor.getCharge(flow.processorObjectId), 'unknown');
    }
    if (flow.kind === 'topup') {
      assert(flow.paymentMethodId !== null, 'a top-up has a card');
      const card = await deps.vault.revealForProcessor(
        flow.paymentMethodId,
        paymentWireId(payment),
      );
      // A card removed after phase 1 may still have been charged by an earlier attempt: only
      // a lookup can tell, so the outcome stays unknown for the worker.
      if (card === null) return { result: 'unknown', reason: 'card no longer in the vault' };
      const call = await processor.charge(flow.processorKey, {
        amount: payment.amount,
        currency: payment.currency,
        card,
        reference: paymentWireId(payment),
      });
      return flowOutcome(expected, call, 'unknown');
    }
    assert(flow.bankAccountSealed !== null, 'a payout has a bank account');
    const bankAccount = JSON.parse(
      deps.bankBox.open(flow.bankAccountSealed).toString(),
    ) as BankAccount;
    const call = await processor.payout(flow.processorKey, {
      amount: payment.amount,
      currency: payment.currency,
      bankAccount,
      reference: paymentWireId(payment),
    });
    return flowOutcome(expected, call, 'unknown');
  }

  /** After a request's attempt the worker may look at once; after its own attempt it backs off. */
  function nextAttemptAt(flow: FlowRecord, by: Settler, now: Date): Date {
    return by === 'worker' ? new Date(now.getTime() + retryDelayMs(flow.attempts, random())) : now;
  }

  /** The flow and its payment as the transaction now sees them. */
  async function reread(q: Queryable, paymentId: string) {
    const flow = await selectFlow(q, { paymentId });
    const payment = await selectPayment(q, paymentId);
    assert(flow !== null && payment !== null, 'the payment is still there');
    return { flow, payment };
  }

  /** Counts a flow finished just now and answers with its current state. */
  function answer(settled: { flow: FlowRecord; payment: PaymentRecord; finishedNow: boolean }) {
    const { flow, payment } = settled;
    if (settled.finishedNow) {
      deps.onAccountsChanged?.([payment.payerAccountId, payment.payeeAccountId]);
      deps.metrics.payments.inc({
        kind: flow.kind,
        outcome: payment.status === 'succeeded' ? 'succeeded' : (payment.failureCode ?? 'failed'),
      });
    }
    return {
      statusCode: flow.recoveryPoint === 'finished' ? 201 : 202,
      body: flowView(payment, flow),
      refundDue: flow.recoveryPoint === 'refunding',
    };
  }

  /**
   * Records the outcome of a `started` flow. Safe against concurrent settlers: the flow row is
   * locked and checked, and a flow past `started` is never changed here.
   */
  async function settle(paymentId: string, outcome: FlowOutcome, by: Settler): Promise<Settled> {
    const now = deps.clock.now();
    const settled = await deps.db.transaction(async (client) => {
      const flow = await selectFlow(client, { paymentId }, { lock: true });
      assert(flow !== null, 'settling a known flow');
      const payment = await selectPayment(client, paymentId, { lock: true });
      assert(payment !== null, 'a flow has its payment');
      if (flow.recoveryPoint !== 'started') return { flow, payment, finishedNow: false };
      if (outcome.result === 'unknown' || outcome.result === 'action_required') {
        const status = outcome.result === 'unknown' ? 'outcome_unknown' : 'requires_action';
        const next = nextAttemptAt(flow, by, now);
        if (outcome.result === 'unknown') {
          await releaseLease(client, paymentId, now, next, outcome.reason);
        } else {
          await markActionRequired(client, paymentId, outcome.objectId, outcome.url, now, next);
        }
        // A charge waiting for the cardholder stays `requires_action` while the processor
        // cannot be asked: the next action is still the right one.
        if (payment.status !== status && payment.status !== 'requires_action') {
          await client.query(
            updatePaymentsSql,
            unnestParams([paymentChangeRow(paymentId, { status }, now)]),
          );
          await appendEvents(client, [
            {
              type:
                outcome.result === 'unknown'
                  ? 'processor.outcome_unknown'
                  : 'topup.requires_action',
              streamId: paymentId,
              data: {
                id: paymentId,
                kind: flow.kind,
                ...(outcome.result === 'unknown' ? { reason: outcome.reason } : {}),
              },
            },
          ]);
        }
        return { ...(await reread(client, paymentId)), finishedNow: false };
      }
      const finishedNow = await record(client, flow, payment, outcome, now);
      return { ...(await reread(client, paymentId)), finishedNow };
    });
    if (outcome.result === 'unknown' && settled.flow.recoveryPoint === 'started')
      deps.logger.warn({ payment: paymentId, reason: outcome.reason }, 'processor outcome unknown');
    return answer(settled);
  }

  /**
   * The refund of a captured top-up the wallet cannot hold, holding the flow's lease. The key is
   * derived from the flow, so every attempt by anyone is one refund at the processor; only a
   * confirmed refund fails the top-up, anything else is tried again.
   */
  async function refundCapture(paymentId: string, by: Settler): Promise<Settled> {
    const { flow, payment } = await reread(deps.db.pool, paymentId);
    let outcome: RefundOutcome = { result: 'unknown', reason: 'no processor configured' };
    if (flow.recoveryPoint === 'refunding' && deps.processor !== null) {
      assert(flow.processorObjectId !== null, 'a refund knows its charge');
      const call = await deps.processor.refund(`${flow.processorKey}_refund`, {
        charge: flow.processorObjectId,
        amount: payment.amount,
        reference: paymentWireId(payment),
      });
      outcome = refundOutcome(
        { charge: flow.processorObjectId, amount: payment.amount, currency: payment.currency },
        call,
      );
    }
    const now = deps.clock.now();
    const settled = await deps.db.transaction(async (client) => {
      const locked = await selectFlow(client, { paymentId }, { lock: true });
      const current = await selectPayment(client, paymentId, { lock: true });
      assert(locked !== null && current !== null, 'a flow has its payment');
      if (locked.recoveryPoint !== 'refunding')
        return { flow: locked, payment: current, finishedNow: false };
      if (outcome.result === 'unknown') {
        await releaseLease(client, paymentId, now, nextAttemptAt(locked, by, now), outcome.reason);
        return { ...(await reread(client, paymentId)), finishedNow: false };
      }
      const objectId = locked.processorObjectId;
      assert(objectId !== null, 'a refund knows its charge');
      const failed = { result: 'failed', code: 'amount_too_large', objectId } as const;
      await record(client, locked, current, failed, now, { refund: outcome.refundId });
      return { ...(await reread(client, paymentId)), finishedNow: true };
    });
    if (outcome.result === 'unknown' && settled.flow.recoveryPoint === 'refunding') {
      // A refusal replays under the same key: it needs a person (docs/runbook.md).
      const log = outcome.reason.startsWith('processor refused')
        ? deps.logger.error
        : deps.logger.warn;
      log.call(deps.logger, { payment: paymentId, reason: outcome.reason }, 'refund not confirmed');
    }
    return answer(settled);
  }

  async function record(
    client: DbClient,
    flow: FlowRecord,
    payment: PaymentRecord,
    outcome: Extract<FlowOutcome, { result: 'succeeded' | 'failed' }>,
    now: Date,
    detail: Record<string, string> = {},
  ): Promise<boolean> {
    const succeeded = outcome.result === 'succeeded';
    const transfer = ledgerEffect(flow, payment, succeeded);
    if (transfer !== null) {
      const [result] = await deps.ledger.postInTransaction(client, [transfer]);
      if (
        transfer.code === 'topup' &&
        result?.status === 'rejected' &&
        (result.code === 'overflows_credits' || result.code === 'overflows_debits')
      ) {
        assert(outcome.objectId !== null, 'a captured charge has an id');
        await refundDue(client, payment, outcome.objectId, result.code, now);
        return false;
      }
      assert(
        result?.status === 'created',
        `the ledger accepts a finished ${flow.kind}: ${result?.status === 'rejected' ? result.code : 'no outcome'}`,
      );
    }
    await client.query(
      updatePaymentsSql,
      unnestParams([
        paymentChangeRow(
          payment.id,
          succeeded
            ? { status: 'succeeded', amountCaptured: payment.amount }
            : { status: 'failed', failureCode: outcome.code },
          now,
        ),
      ]),
    );
    await markFinished(client, flow.paymentId, outcome.objectId, now);
    const finished: PaymentRecord = succeeded
      ? { ...payment, status: 'succeeded', amountCaptured: payment.amount, updatedAt: now }
      : { ...payment, status: 'failed', failureCode: outcome.code, updatedAt: now };
    await appendPublicEvents(
      client,
      paymentEvents(
        finished,
        flowView(finished, { ...flow, recoveryPoint: 'finished', actionUrl: null }),
      ),
    );
    await appendEvents(client, [
      {
        type: eventType(flow.kind, succeeded),
        streamId: payment.id,
        data: {
          id: payment.id,
          amount: payment.amount,
          currency: payment.currency,
          processor_object: outcome.objectId,
          ...(succeeded ? {} : { failure_code: outcome.code }),
          ...detail,
        },
      },
    ]);
    return true;
  }

  /**
   * The card was captured but the wallet cannot take the credit: the flow moves to `refunding`
   * in this transaction, so no later attempt can credit it after all. Nothing moved in Kassa.
   */
  async function refundDue(
    client: DbClient,
    payment: PaymentRecord,
    chargeId: string,
    reason: string,
    now: Date,
  ): Promise<void> {
    await markRefunding(client, payment.id, chargeId, `ledger refused the credit: ${reason}`, now);
    if (payment.status !== 'processing')
      await client.query(
        updatePaymentsSql,
        unnestParams([paymentChangeRow(payment.id, { status: 'processing' }, now)]),
      );
    await appendEvents(client, [
      {
        type: 'topup.credit_refused',
        streamId: payment.id,
        data: {
          id: payment.id,
          amount: payment.amount,
          currency: payment.currency,
          processor_object: chargeId,
          reason,
        },
      },
    ]);
  }

  /**
   * What the processor recorded for a flow, read the way the worker reads it. A charge known by
   * id is read as it is now; so is one whose stored answer asked for 3-D Secure, since the
   * cardholder may have answered since. `neverSeen`: see `flowOutcome`.
   */
  async function askProcessor(
    processor: ProcessorClient,
    flow: FlowRecord,
    payment: PaymentRecord,
    neverSeen: 'failed' | 'unknown',
  ): Promise<FlowOutcome> {
    const expected = { kind: flow.kind, amount: payment.amount, currency: payment.currency };
    const chargeNow = async (id: string) =>
      flowOutcome(expected, await processor.getCharge(id), 'unknown');
    if (flow.kind === 'topup' && flow.processorObjectId !== null)
      return chargeNow(flow.processorObjectId);
    const outcome = flowOutcome(expected, await processor.lookup(flow.processorKey), neverSeen);
    return outcome.result === 'action_required' ? chargeNow(outcome.objectId) : outcome;
  }

  /** Resolves idle unfinished flows by asking the processor what it recorded. */
  async function resolveDue(limit = 50): Promise<{ resolved: number; unknown: number }> {
    const processor = deps.processor;
    if (processor === null) return { resolved: 0, unknown: 0 };
    const now = deps.clock.now();
    const ids = await selectDueFlows(
      deps.db.pool,
      now,
      new Date(now.getTime() - deps.resolveAfterSeconds * 1000),
      limit,
    );
    let resolved = 0;
    let unknown = 0;
    for (const id of ids) {
      const at = deps.clock.now();
      if (!(await takeLease(deps.db.pool, id, at, leaseFrom(at)))) continue;
      const response = await resolveOne(processor, id, at);
      if (response.statusCode === 201) resolved += 1;
      else unknown += 1;
    }
    return { resolved, unknown };
  }

  /** One idle flow, holding its lease: a refund owed is retried, anything else looked up. */
  async function resolveOne(processor: ProcessorClient, id: string, at: Date): Promise<Settled> {
    const { flow, payment } = await reread(deps.db.pool, id);
    if (flow.recoveryPoint === 'refunding') return refundCapture(id, 'worker');
    // The lease lapsed and the flow sat idle: no call of ours can still reach the processor,
    // so "never seen" means nothing happened, and the flow is failed (a payout's hold voided).
    let outcome = await askProcessor(processor, flow, payment, 'failed');
    if (
      outcome.result === 'action_required' &&
      at.getTime() - payment.updatedAt.getTime() >= deps.authenticationTimeoutMs
    ) {
      // The cardholder never confirmed: cancel the authorization, then fail the top-up.
      const voided = await processor.voidCharge(outcome.objectId, `${flow.processorKey}_void`);
      outcome =
        voided.kind === 'answered' && voided.value.status === 'canceled'
          ? { result: 'failed', code: 'authentication_timeout', objectId: outcome.objectId }
          : {
              result: 'unknown',
              reason: `could not cancel the unconfirmed charge (${voided.kind})`,
            };
    }
    const settled = await settle(id, outcome, 'worker');
    return settled.refundDue ? refundCapture(id, 'worker') : settled;
  }

  /**
   * A processor callback whose signature verified. It is only a hint about which flow to look
   * at: whoever holds the callback key could claim anything in it, so Kassa asks the processor
   * itself, as the worker does, and records that answer, and only a definite one. An unknown
   * flow, an unreachable processor or an open question change nothing; the worker resolves
   * them later. A key the processor does not know is no failure here: a call may be on its way.
   */
  async function onProcessorEvent(object: unknown) {
    const key =
      typeof object === 'object' && object !== null
        ? (object as { idempotency_key?: unknown }).idempotency_key
        : undefined;
    if (typeof key !== 'string') return 'ignored' as const;
    const flow = await selectFlow(deps.db.pool, { processorKey: key });
    if (flow === null) return 'ignored' as const;
    if (flow.recoveryPoint === 'finished') return 'already_finished' as const;
    const processor = deps.processor;
    if (flow.recoveryPoint === 'refunding' || processor === null) return 'unresolved' as const;
    const payment = await selectPayment(deps.db.pool, flow.paymentId);
    assert(payment !== null, 'a flow has its payment');
    const outcome = await askProcessor(processor, flow, payment, 'unknown');
    if (outcome.result !== 'succeeded' && outcome.result !== 'failed') return 'unresolved' as const;
    let settled = await settle(flow.paymentId, outcome, 'callback');
    const now = deps.clock.now();
    // A refund is owed: refund now unless a request or the worker is already driving the flow.
    if (settled.refundDue && (await takeLease(deps.db.pool, flow.paymentId, now, leaseFrom(now))))
      settled = await refundCapture(flow.paymentId, 'callback');
    return settled.statusCode === 201 ? ('finished' as const) : ('unresolved' as const);
  }

  async function view(userId: string, kind: FlowKind, paymentId: string) {
    const payment = await selectPayment(deps.db.pool, paymentId, { kind });
    if (payment === null || payment.payerUserId !== userId) return null;
    const flow = await selectFlow(deps.db.pool, { paymentId });
    assert(flow !== null, 'a top-up or payout has its flow');
    return flowView(payment, flow);
  }

  /** Whether a flow already exists under this idempotency key (a retry resumes it). */
  async function knownFlow(claim: Pick<IdempotencyClaim, 'scope' | 'key'>): Promise<boolean> {
    return (await selectFlowByKey(deps.db.pool, claim.scope, claim.key)) !== null;
  }

  return { startTopup, startPayout, resolveDue, onProcessorEvent, view, knownFlow };
}

export type Rails = ReturnType<typeof createRails>;

/** The ledger transfer that finishes a flow (null: a failed top-up moved nothing). */
function ledgerEffect(
  flow: FlowRecord,
  payment: PaymentRecord,
  succeeded: boolean,
): TransferInput | null {
  if (flow.kind === 'topup') {
    if (!succeeded) return null;
    return {
      id: flow.ledgerTransferId,
      debitAccountId: payment.payerAccountId,
      creditAccountId: payment.payeeAccountId,
      amount: payment.amount,
      code: 'topup',
      flags: 0,
    };
  }
  assert(flow.holdTransferId !== null, 'a payout has a hold');
  return {
    id: flow.ledgerTransferId,
    pendingId: flow.holdTransferId,
    amount: 0n,
    code: succeeded ? 'payout' : 'payout_failed',
    flags: succeeded ? transferFlags.postPending : transferFlags.voidPending,
  };
}

function eventType(kind: FlowKind, succeeded: boolean) {
  if (kind === 'topup') return succeeded ? ('topup.succeeded' as const) : ('topup.failed' as const);
  return succeeded ? ('payout.paid' as const) : ('payout.failed' as const);
}
