import { assert } from '../../../kernel/assert.ts';
import { amountMinorMax } from '../../../kernel/money.ts';
import {
  accountFlags,
  transferFlags,
  type Account,
  type LedgerState,
  type PendingTransfer,
  type Transfer,
  type TransferInput,
  type TransferOutcome,
  type TransferRejection,
} from './ledger-types.ts';

export interface AppliedBatch {
  readonly outcomes: TransferOutcome[];
  /** New transfers in the order they were created. */
  readonly created: Transfer[];
  /** Pending transfers created or resolved by this batch, by transfer id. */
  readonly pendingChanges: Map<string, PendingTransfer>;
  /** Accounts whose balances changed, by id (final values). */
  readonly changedAccounts: Map<string, Account>;
}

/**
 * The ledger's decider: applies a batch of transfers, in order, to a state loaded by the store.
 * Pure: it mutates only `state` (the caller's working copy) and reads time from `now`.
 * Linked transfers form a chain that ends at the first transfer without the `linked` flag; a
 * chain commits all or nothing. One transfer's rejection never undoes another chain.
 */
export function applyTransfers(
  state: LedgerState,
  inputs: readonly TransferInput[],
  now: Date,
): AppliedBatch {
  const outcomes: TransferOutcome[] = new Array<TransferOutcome>(inputs.length);
  const created: Transfer[] = [];
  const pendingChanges = new Map<string, PendingTransfer>();
  const changedAccounts = new Map<string, Account>();

  let start = 0;
  while (start < inputs.length) {
    let end = start;
    while (end < inputs.length - 1 && isLinked(inputs[end])) end += 1;
    const chainOpen = isLinked(inputs[end]);
    const undo: (() => void)[] = [];
    const chainCreated: Transfer[] = [];
    let failedAt = -1;
    let failure: TransferRejection = 'linked_event_failed';
    for (let i = start; i <= end; i += 1) {
      const input = inputs[i];
      assert(input !== undefined, 'input index in range');
      const outcome =
        chainOpen && i === end
          ? rejectedOutcome('linked_event_chain_open')
          : applyOne(state, input, now, undo);
      outcomes[i] = outcome;
      if (outcome.status === 'rejected') {
        failedAt = i;
        failure = outcome.code;
        break;
      }
      if (outcome.status === 'created') chainCreated.push(outcome.transfer);
    }
    if (failedAt >= 0) {
      for (let u = undo.length - 1; u >= 0; u -= 1) undo[u]?.();
      for (let i = start; i <= end; i += 1) {
        outcomes[i] = rejectedOutcome(i === failedAt ? failure : 'linked_event_failed');
      }
    } else {
      for (const transfer of chainCreated) {
        created.push(transfer);
        for (const id of [transfer.debitAccountId, transfer.creditAccountId]) {
          const account = state.accounts.get(id);
          assert(account !== undefined, 'changed account is loaded');
          changedAccounts.set(id, account);
        }
        const pendingId = transfer.flags & transferFlags.pending ? transfer.id : transfer.pendingId;
        if (pendingId !== null) {
          const pending = state.pendings.get(pendingId);
          assert(pending !== undefined, 'pending transfer is tracked');
          pendingChanges.set(pendingId, pending);
        }
      }
    }
    start = end + 1;
  }
  for (const account of changedAccounts.values()) assertAccountInvariants(account);
  return { outcomes, created, pendingChanges, changedAccounts };
}

function isLinked(input: TransferInput | undefined): boolean {
  return input !== undefined && (input.flags & transferFlags.linked) !== 0;
}

function rejectedOutcome(code: TransferRejection): TransferOutcome {
  return { status: 'rejected', code };
}

function applyOne(
  state: LedgerState,
  input: TransferInput,
  now: Date,
  undo: (() => void)[],
): TransferOutcome {
  const existing = state.transfers.get(input.id);
  if (existing !== undefined) {
    return sameFields(existing, input)
      ? { status: 'exists', transfer: existing }
      : rejectedOutcome('exists_with_different_fields');
  }
  const twoPhase =
    input.flags & (transferFlags.pending | transferFlags.postPending | transferFlags.voidPending);
  if (twoPhase !== 0 && (twoPhase & (twoPhase - 1)) !== 0)
    return rejectedOutcome('flags_are_mutually_exclusive');
  if (input.code.length === 0) return rejectedOutcome('code_must_not_be_empty');
  const result =
    twoPhase & (transferFlags.postPending | transferFlags.voidPending)
      ? resolvePending(state, input, now, undo)
      : postNew(state, input, now, undo);
  if (typeof result === 'string') return rejectedOutcome(result);
  state.transfers.set(result.id, result);
  undo.push(() => state.transfers.delete(result.id));
  return { status: 'created', transfer: result };
}

function postNew(
  state: LedgerState,
  input: TransferInput,
  now: Date,
  undo: (() => void)[],
): Transfer | TransferRejection {
  const pending = (input.flags & transferFlags.pending) !== 0;
  if (input.pendingId !== undefined) return 'pending_id_must_be_absent';
  if (!pending && (input.timeoutSeconds ?? 0) !== 0) return 'timeout_reserved_for_pending_transfer';
  if (input.debitAccountId !== undefined && input.debitAccountId === input.creditAccountId) {
    return 'accounts_must_be_different';
  }
  if (input.amount <= 0n) return 'amount_must_not_be_zero';
  const debit =
    input.debitAccountId === undefined ? undefined : state.accounts.get(input.debitAccountId);
  if (debit === undefined) return 'debit_account_not_found';
  const credit =
    input.creditAccountId === undefined ? undefined : state.accounts.get(input.creditAccountId);
  if (credit === undefined) return 'credit_account_not_found';
  if (debit.currency !== credit.currency) return 'accounts_must_have_the_same_currency';
  const amount = input.amount;
  // Totals stay exact as JSON numbers (2^53 − 1). Posted and pending count together, so that
  // posting a pending transfer (pending moves to posted) can never pass the limit.
  if (debit.debitsPosted + debit.debitsPending + amount > amountMinorMax) return 'overflows_debits';
  if (credit.creditsPosted + credit.creditsPending + amount > amountMinorMax)
    return 'overflows_credits';
  if (
    debit.flags & accountFlags.debitsMustNotExceedCredits &&
    debit.debitsPosted + debit.debitsPending + amount > debit.creditsPosted
  ) {
    return 'exceeds_credits';
  }
  if (
    credit.flags & accountFlags.creditsMustNotExceedDebits &&
    credit.creditsPosted + credit.creditsPending + amount > credit.debitsPosted
  ) {
    return 'exceeds_debits';
  }
  const transfer: Transfer = {
    id: input.id,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount,
    pendingAmount: 0n,
    currency: debit.currency,
    code: input.code,
    flags: input.flags,
    pendingId: null,
    timeoutSeconds: input.timeoutSeconds ?? 0,
    createdAt: now,
  };
  changeAccount(debit, pending ? { debitsPending: amount } : { debitsPosted: amount }, undo);
  changeAccount(credit, pending ? { creditsPending: amount } : { creditsPosted: amount }, undo);
  if (pending) {
    const timeoutSeconds = input.timeoutSeconds ?? 0;
    const tracked: PendingTransfer = {
      transfer,
      status: 'pending',
      expiresAt: timeoutSeconds > 0 ? new Date(now.getTime() + timeoutSeconds * 1000) : null,
      resolvedBy: null,
    };
    state.pendings.set(transfer.id, tracked);
    undo.push(() => state.pendings.delete(transfer.id));
  }
  return transfer;
}

function resolvePending(
  state: LedgerState,
  input: TransferInput,
  now: Date,
  undo: (() => void)[],
): Transfer | TransferRejection {
  const post = (input.flags & transferFlags.postPending) !== 0;
  if (input.pendingId === undefined || input.pendingId === '')
    return 'pending_id_must_not_be_empty';
  if (input.pendingId === input.id) return 'pending_id_must_be_different';
  if ((input.timeoutSeconds ?? 0) !== 0) return 'timeout_reserved_for_pending_transfer';
  const tracked = state.pendings.get(input.pendingId);
  if (tracked === undefined) return 'pending_transfer_not_found';
  const pending = tracked.transfer;
  if (input.debitAccountId !== undefined && input.debitAccountId !== pending.debitAccountId) {
    return 'pending_transfer_has_different_debit_account';
  }
  if (input.creditAccountId !== undefined && input.creditAccountId !== pending.creditAccountId) {
    return 'pending_transfer_has_different_credit_account';
  }
  if (tracked.status === 'posted') return 'pending_transfer_already_posted';
  if (tracked.status === 'voided') return 'pending_transfer_already_voided';
  if (tracked.status === 'expired') return 'pending_transfer_expired';
  const expired = tracked.expiresAt !== null && tracked.expiresAt.getTime() <= now.getTime();
  if (expired && input.expiry !== true) return 'pending_transfer_expired';
  if (input.amount < 0n) return 'amount_must_not_be_zero';
  if (input.amount > pending.amount) return 'exceeds_pending_transfer_amount';
  if (!post && input.amount !== 0n && input.amount !== pending.amount)
    return 'pending_transfer_has_different_amount';
  const amount = post ? (input.amount === 0n ? pending.amount : input.amount) : pending.amount;
  const debit = state.accounts.get(pending.debitAccountId);
  const credit = state.accounts.get(pending.creditAccountId);
  assert(debit !== undefined && credit !== undefined, 'pending transfer accounts are loaded');
  changeAccount(debit, { debitsPending: -pending.amount, debitsPosted: post ? amount : 0n }, undo);
  changeAccount(
    credit,
    { creditsPending: -pending.amount, creditsPosted: post ? amount : 0n },
    undo,
  );
  const previousStatus = tracked.status;
  tracked.status = post ? 'posted' : input.expiry === true ? 'expired' : 'voided';
  tracked.resolvedBy = input.id;
  undo.push(() => {
    tracked.status = previousStatus;
    tracked.resolvedBy = null;
  });
  return {
    id: input.id,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount: post ? amount : pending.amount,
    pendingAmount: pending.amount,
    currency: pending.currency,
    code: input.code,
    flags: input.flags,
    pendingId: pending.id,
    timeoutSeconds: 0,
    createdAt: now,
  };
}

type BalanceDelta = Partial<
  Pick<Account, 'debitsPosted' | 'creditsPosted' | 'debitsPending' | 'creditsPending'>
>;

function changeAccount(account: Account, delta: BalanceDelta, undo: (() => void)[]): void {
  const before = {
    debitsPosted: account.debitsPosted,
    creditsPosted: account.creditsPosted,
    debitsPending: account.debitsPending,
    creditsPending: account.creditsPending,
  };
  account.debitsPosted += delta.debitsPosted ?? 0n;
  account.creditsPosted += delta.creditsPosted ?? 0n;
  account.debitsPending += delta.debitsPending ?? 0n;
  account.creditsPending += delta.creditsPending ?? 0n;
  undo.push(() => Object.assign(account, before));
}

function sameFields(existing: Transfer, input: TransferInput): boolean {
  const twoPhaseResolve =
    (input.flags & (transferFlags.postPending | transferFlags.voidPending)) !== 0;
  const amountMatches =
    twoPhaseResolve && input.amount === 0n ? true : existing.amount === input.amount;
  return (
    existing.flags === input.flags &&
    existing.code === input.code &&
    amountMatches &&
    (input.debitAccountId === undefined || existing.debitAccountId === input.debitAccountId) &&
    (input.creditAccountId === undefined || existing.creditAccountId === input.creditAccountId) &&
    (existing.pendingId ?? undefined) === (input.pendingId ?? undefined) &&
    existing.timeoutSeconds === (input.timeoutSeconds ?? 0)
  );
}

/** The account invariants, asserted after every batch (and again by `kassa verify`). */
export function assertAccountInvariants(account: Account): void {
  assert(
    account.debitsPosted >= 0n && account.creditsPosted >= 0n,
    `negative posted on ${account.id}`,
  );
  assert(
    account.debitsPending >= 0n && account.creditsPending >= 0n,
    `negative pending on ${account.id}`,
  );
  if (account.flags & accountFlags.debitsMustNotExceedCredits) {
    assert(
      account.debitsPosted + account.debitsPending <= account.creditsPosted,
      `debits exceed credits on ${account.id}`,
    );
  }
  if (account.flags & accountFlags.creditsMustNotExceedDebits) {
    assert(
      account.creditsPosted + account.creditsPending <= account.debitsPosted,
      `credits exceed debits on ${account.id}`,
    );
  }
}
