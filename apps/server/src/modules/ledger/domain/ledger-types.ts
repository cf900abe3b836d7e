import type { Currency } from '../../../kernel/money.ts';

/** Account flags, as bits (stored in `ledger_accounts.flags`). */
export const accountFlags = {
  debitsMustNotExceedCredits: 1,
  creditsMustNotExceedDebits: 2,
} as const;

/** Transfer flags, as bits (stored in `ledger_transfers.flags`). */
export const transferFlags = {
  linked: 1,
  pending: 2,
  postPending: 4,
  voidPending: 8,
} as const;

export interface Account {
  readonly id: string;
  readonly currency: Currency;
  readonly code: string;
  readonly flags: number;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/** What a client asks for. For post/void the accounts may be omitted: the pending one's apply. */
export interface TransferInput {
  readonly id: string;
  readonly debitAccountId?: string | undefined;
  readonly creditAccountId?: string | undefined;
  /** For post_pending, 0 means "the full pending amount"; for void it must be 0 or that amount. */
  readonly amount: bigint;
  readonly code: string;
  readonly flags: number;
  readonly pendingId?: string | undefined;
  readonly timeoutSeconds?: number | undefined;
  /** Internal: a void issued by the expiry job marks the pending transfer `expired`. */
  readonly expiry?: boolean | undefined;
}

export interface Transfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amount: bigint;
  readonly pendingAmount: bigint;
  readonly currency: Currency;
  readonly code: string;
  readonly flags: number;
  readonly pendingId: string | null;
  readonly timeoutSeconds: number;
  readonly createdAt: Date;
}

export const pendingStatuses = ['pending', 'posted', 'voided', 'expired'] as const;
export type PendingStatus = (typeof pendingStatuses)[number];

export interface PendingTransfer {
  readonly transfer: Transfer;
  status: PendingStatus;
  readonly expiresAt: Date | null;
  resolvedBy: string | null;
}

export const transferRejections = [
  'linked_event_failed',
  'linked_event_chain_open',
  'exists_with_different_fields',
  'flags_are_mutually_exclusive',
  'accounts_must_be_different',
  'amount_must_not_be_zero',
  'code_must_not_be_empty',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_currency',
  'pending_id_must_be_absent',
  'pending_id_must_not_be_empty',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'pending_transfer_not_found',
  'pending_transfer_has_different_debit_account',
  'pending_transfer_has_different_credit_account',
  'pending_transfer_has_different_amount',
  'exceeds_pending_transfer_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
] as const;
export type TransferRejection = (typeof transferRejections)[number];

export type TransferOutcome =
  | { readonly status: 'created'; readonly transfer: Transfer }
  | { readonly status: 'exists'; readonly transfer: Transfer }
  | { readonly status: 'rejected'; readonly code: TransferRejection };

/** Everything the decider needs to know, loaded (and locked) by the store. */
export interface LedgerState {
  readonly accounts: Map<string, Account>;
  readonly transfers: Map<string, Transfer>;
  readonly pendings: Map<string, PendingTransfer>;
}
