import { errorCatalogue, type ErrorCode } from '@kassa/contracts';
import type { DbClient } from '../../platform/db.ts';
import { errorBody } from '../../kernel/error-body.ts';
import { assert } from '../../kernel/assert.ts';
import type { Refusal } from './domain/payment-lifecycle.ts';
import type { BatchEffects } from '../../platform/batch-effects.ts';
import {
  addKeyCompletion,
  type IdempotencyClaim,
  type StoredResponse,
} from '../idempotency/index.ts';
import type {
  LedgerCommand,
  TransferInput,
  TransferOutcome,
  TransferRejection,
} from '../ledger/index.ts';

export type CommandResponse = StoredResponse & { readonly replayed: boolean };

export type Plan =
  { readonly transfers: readonly TransferInput[] } | { readonly response: StoredResponse };

/**
 * A money-moving request as a ledger command: the writer claims its idempotency key; the
 * command plans its transfers (or answers without moving money), the ledger decides, the
 * command settles its own rows into the batch's effects, and the response is stored under the
 * key — all in the batch's one transaction.
 */
export function moneyCommand(options: {
  readonly claim: IdempotencyClaim;
  /** Further keys that must not share a batch (the payment a capture or refund locks). */
  readonly exclusiveKeys?: readonly string[];
  plan(client: DbClient, effects: BatchEffects): Promise<Plan>;
  settle(outcomes: readonly TransferOutcome[], effects: BatchEffects): StoredResponse;
}): LedgerCommand<CommandResponse> {
  const { claim } = options;
  return {
    exclusiveKeys: [
      `idempotency:${claim.scope}\u0000${claim.key}`,
      ...(options.exclusiveKeys ?? []),
    ],
    claim,
    replay: (stored) => ({ ...stored, replayed: true }),
    async prepare(client, effects) {
      const plan = await options.plan(client, effects);
      if ('response' in plan) {
        addKeyCompletion(effects, claim, plan.response);
        return { result: { ...plan.response, replayed: false } };
      }
      return { transfers: plan.transfers };
    },
    finish(outcomes, effects) {
      const response = options.settle(outcomes, effects);
      addKeyCompletion(effects, claim, response);
      return { ...response, replayed: false };
    },
  };
}

/** A business rejection as a stored response (it is replayed like any other answer). */
export function rejection(
  code: ErrorCode,
  requestId: string,
  overrides: { param?: string; message?: string } = {},
): StoredResponse {
  return {
    statusCode: errorCatalogue[code].httpStatus,
    body: errorBody(code, requestId, overrides),
  };
}

/** A decider's refusal (domain/payment-lifecycle.ts) as the stored error response. */
export function refusal(refused: Refusal, requestId: string): StoredResponse {
  return rejection(refused.code, requestId, {
    ...(refused.param === undefined ? {} : { param: refused.param }),
    ...(refused.message === undefined ? {} : { message: refused.message }),
  });
}

/** The first rejection in a chain, mapped to the error a user sees. */
export function chainRejection(outcomes: readonly TransferOutcome[]): ErrorCode | null {
  const failed = outcomes.find((o) => o.status === 'rejected' && o.code !== 'linked_event_failed');
  if (failed === undefined || failed.status !== 'rejected') {
    assert(
      outcomes.every((o) => o.status !== 'rejected'),
      'a rejected chain names its cause',
    );
    return null;
  }
  return rejectionToError(failed.code);
}

function rejectionToError(code: TransferRejection): ErrorCode {
  switch (code) {
    case 'exceeds_credits':
      return 'insufficient_funds';
    case 'pending_transfer_expired':
      return 'hold_expired';
    case 'overflows_credits':
    case 'overflows_debits':
    case 'exceeds_debits':
      return 'amount_too_large';
    case 'exists_with_different_fields':
    case 'linked_event_failed':
    case 'linked_event_chain_open':
    case 'flags_are_mutually_exclusive':
    case 'accounts_must_be_different':
    case 'amount_must_not_be_zero':
    case 'code_must_not_be_empty':
    case 'debit_account_not_found':
    case 'credit_account_not_found':
    case 'accounts_must_have_the_same_currency':
    case 'pending_id_must_be_absent':
    case 'pending_id_must_not_be_empty':
    case 'pending_id_must_be_different':
    case 'timeout_reserved_for_pending_transfer':
    case 'pending_transfer_not_found':
    case 'pending_transfer_has_different_debit_account':
    case 'pending_transfer_has_different_credit_account':
    case 'pending_transfer_has_different_amount':
    case 'exceeds_pending_transfer_amount':
    case 'pending_transfer_already_posted':
    case 'pending_transfer_already_voided':
      // The payments layer checks all of these before planning; reaching here is a bug.
      assert(false, `unexpected ledger rejection ${code}`);
  }
}
