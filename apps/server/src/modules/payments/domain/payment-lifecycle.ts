import type { ErrorCode, PaymentStatus, RiskDecision } from '@kassa/contracts';

/**
 * The life of a transfer (P2P) and of a merchant payment, as transition tables and one pure
 * decider per action. Commands ask the decider, then move money; the ledger may still refuse
 * (funds, a hold the ledger already expired), which is the `onRefused` side of a decision.
 *
 *   transfer:  ∅ ─create→ requires_action | succeeded | failed
 *              requires_action ─confirm→ succeeded | failed,  ─expire_step_up→ canceled
 *   payment:   ∅ ─create→ requires_action | requires_capture | succeeded | failed
 *              requires_action ─confirm→ requires_capture | succeeded | failed,
 *                              ─expire_step_up→ canceled
 *              requires_capture ─capture→ succeeded, ─cancel | expire_hold→ canceled
 *              succeeded ─refund→ succeeded (amount_refunded grows up to amount_captured)
 *   both:      ∅ ─create→ under_review (the risk engine holds the money for an operator)
 *              under_review ─approve→ succeeded (a manual-capture payment: requires_capture),
 *                           ─decline | expire_review→ canceled
 * `failed` and `canceled` are final; a transfer that succeeded is final too (no refunds of P2P).
 */
/** Every row of `payments`: top-ups and payouts follow the rails' flow machine (rails/domain). */
export const paymentKinds = ['transfer', 'payment', 'funding', 'topup', 'payout'] as const;
export type PaymentKind = (typeof paymentKinds)[number];
export type LifecycleKind = Extract<PaymentKind, 'transfer' | 'payment'>;
export type LifecycleStatus = Extract<
  PaymentStatus,
  'requires_action' | 'requires_capture' | 'under_review' | 'succeeded' | 'failed' | 'canceled'
>;
export type LifecycleAction =
  | 'create'
  | 'confirm'
  | 'expire_step_up'
  | 'capture'
  | 'cancel'
  | 'expire_hold'
  | 'refund'
  | 'approve'
  | 'decline'
  | 'expire_review';

type Table = Readonly<
  Record<
    'none' | LifecycleStatus,
    Readonly<Partial<Record<LifecycleAction, readonly LifecycleStatus[]>>>
  >
>;

export const transitions: Readonly<Record<LifecycleKind, Table>> = {
  transfer: {
    none: { create: ['requires_action', 'under_review', 'succeeded', 'failed'] },
    requires_action: {
      confirm: ['succeeded', 'under_review', 'failed'],
      expire_step_up: ['canceled'],
    },
    requires_capture: {},
    under_review: { approve: ['succeeded'], decline: ['canceled'], expire_review: ['canceled'] },
    succeeded: {},
    failed: {},
    canceled: {},
  },
  payment: {
    none: {
      create: ['requires_action', 'requires_capture', 'under_review', 'succeeded', 'failed'],
    },
    requires_action: {
      confirm: ['requires_capture', 'under_review', 'succeeded', 'failed'],
      expire_step_up: ['canceled'],
    },
    requires_capture: { capture: ['succeeded'], cancel: ['canceled'], expire_hold: ['canceled'] },
    under_review: {
      approve: ['succeeded', 'requires_capture'],
      decline: ['canceled'],
      expire_review: ['canceled'],
    },
    succeeded: { refund: ['succeeded'] },
    failed: {},
    canceled: {},
  },
};

/** What the deciders read of a payment: its kind, status, amounts and deadlines. */
export interface LifecycleState {
  readonly kind: PaymentKind;
  readonly status: PaymentStatus;
  readonly captureMethod: 'automatic' | 'manual';
  readonly amount: bigint;
  readonly amountCaptured: bigint;
  readonly amountRefunded: bigint;
  readonly holdTransferId: string | null;
  readonly holdExpiresAt: Date | null;
  readonly createdAt: Date;
}

export type Refusal = {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly param?: string;
  readonly message?: string;
};

/**
 * An allowed action: the status once the ledger accepts its transfers (`next`), and once it
 * refuses them (`onRefused`: a new status, or null when the payment stays as it was).
 */
export type Allowed<Extra = object> = {
  readonly ok: true;
  readonly next: LifecycleStatus;
  readonly onRefused: LifecycleStatus | null;
} & Extra;

export type Decision<Extra = object> = Allowed<Extra> | Refusal;

export function allows(
  kind: LifecycleKind,
  from: PaymentStatus | 'none',
  action: LifecycleAction,
  to: PaymentStatus,
): boolean {
  const row = (transitions[kind] as Partial<Table>)[from as LifecycleStatus | 'none'];
  return (row?.[action] as readonly PaymentStatus[] | undefined)?.includes(to) ?? false;
}

function refuse(code: ErrorCode, extra: { param?: string; message?: string } = {}): Refusal {
  return { ok: false, code, ...extra };
}

function holdPastDeadline(state: LifecycleState, now: Date): boolean {
  return state.holdExpiresAt !== null && state.holdExpiresAt.getTime() <= now.getTime();
}

/**
 * A new transfer or payment. The risk engine's decision comes first: `block` fails it with
 * nothing moved, `review` holds the money for an operator; then it waits for a second factor,
 * holds (manual capture) or settles. (A `step_up` decision arrives as `stepUp`.)
 */
export function decideCreate(
  kind: LifecycleKind,
  input: { stepUp: boolean; captureMethod: 'automatic' | 'manual'; risk?: RiskDecision },
): Allowed<{ onRefused: 'failed' }> {
  // A payment the policy steps up and the engine holds for review gets both, in that order:
  // the second factor first (requires_action), then, once confirmed, the review.
  const next: LifecycleStatus =
    input.risk === 'block'
      ? 'failed'
      : input.stepUp
        ? 'requires_action'
        : input.risk === 'review'
          ? 'under_review'
          : kind === 'payment' && input.captureMethod === 'manual'
            ? 'requires_capture'
            : 'succeeded';
  return { ok: true, next, onRefused: 'failed' };
}

/**
 * An operator's verdict on a payment held for review, or the review's deadline passing:
 * approving posts the held money (a manual-capture payment then waits for its capture),
 * declining or expiring voids it.
 */
export function decideReview(
  state: LifecycleState,
  input: { verdict: 'approve' | 'decline' | 'expire'; now: Date },
): Decision {
  if (state.status !== 'under_review' || state.holdTransferId === null)
    return refuse('payment_not_under_review');
  if (state.kind !== 'payment' && state.kind !== 'transfer')
    return refuse('payment_not_under_review');
  const past = holdPastDeadline(state, input.now);
  if (input.verdict === 'expire')
    return past
      ? { ok: true, next: 'canceled', onRefused: null }
      : refuse('payment_not_under_review', { message: 'The review has not expired.' });
  if (input.verdict === 'decline') return { ok: true, next: 'canceled', onRefused: null };
  if (past) return refuse('hold_expired');
  const next: LifecycleStatus =
    state.kind === 'payment' && state.captureMethod === 'manual' ? 'requires_capture' : 'succeeded';
  return { ok: true, next, onRefused: null };
}

/** A second factor arrives for a waiting payment (the code itself is checked by the caller). */
export function decideConfirm(
  state: LifecycleState,
  input: { now: Date; expirySeconds: number; review?: boolean },
): Decision<{ onRefused: 'failed' }> {
  if (state.status !== 'requires_action') return refuse('payment_not_confirmable');
  if (input.now.getTime() - state.createdAt.getTime() > input.expirySeconds * 1000)
    return refuse('payment_not_confirmable', {
      message: 'This payment waited too long for its code and expired. Start it again.',
    });
  if (state.kind !== 'payment' && state.kind !== 'transfer')
    return refuse('payment_not_confirmable');
  // Held for review after its second factor when the risk engine asked for a review.
  const next: LifecycleStatus = input.review
    ? 'under_review'
    : state.kind === 'payment' && state.captureMethod === 'manual'
      ? 'requires_capture'
      : 'succeeded';
  return { ok: true, next, onRefused: 'failed' };
}

/** The merchant captures a held payment, all of it or less (never more). */
export function decideCapture(
  state: LifecycleState,
  input: { amount: bigint | null; now: Date },
): Decision<{ amount: bigint }> {
  if (
    state.kind !== 'payment' ||
    state.status !== 'requires_capture' ||
    state.holdTransferId === null
  )
    return refuse('payment_not_capturable');
  const amount = input.amount ?? state.amount;
  if (amount <= 0n || amount > state.amount)
    return refuse('capture_exceeds_authorized', { param: 'amount' });
  if (holdPastDeadline(state, input.now)) return refuse('hold_expired');
  return { ok: true, next: 'succeeded', onRefused: null, amount };
}

/**
 * The merchant or the payer releases a hold. Past its deadline the ledger voids it as an expiry
 * (`expiry`), which the ledger accepts even after it would refuse a capture.
 */
export function decideCancel(
  state: LifecycleState,
  input: { now: Date },
): Decision<{ expiry: boolean }> {
  if (
    state.kind !== 'payment' ||
    state.status !== 'requires_capture' ||
    state.holdTransferId === null
  )
    return refuse('payment_not_cancelable');
  return {
    ok: true,
    next: 'canceled',
    onRefused: null,
    expiry: holdPastDeadline(state, input.now),
  };
}

/** The expiry job: a hold past its capture deadline is voided and the payment canceled. */
export function decideExpireHold(state: LifecycleState, input: { now: Date }): Decision {
  if (
    state.kind !== 'payment' ||
    state.status !== 'requires_capture' ||
    state.holdTransferId === null
  )
    return refuse('payment_not_cancelable');
  if (!holdPastDeadline(state, input.now))
    return refuse('payment_not_cancelable', { message: 'The hold has not expired.' });
  return { ok: true, next: 'canceled', onRefused: null };
}

/** A refund of what was captured and not yet refunded; the payment stays `succeeded`. */
export function decideRefund(
  state: LifecycleState,
  input: { amount: bigint | null },
): Decision<{ amount: bigint }> {
  if (state.kind !== 'payment' || state.status !== 'succeeded')
    return refuse('payment_not_refundable', { param: 'payment' });
  const remaining = state.amountCaptured - state.amountRefunded;
  const amount = input.amount ?? remaining;
  if (amount <= 0n || amount > remaining)
    return refuse('refund_exceeds_captured', { param: 'amount' });
  return { ok: true, next: 'succeeded', onRefused: null, amount };
}
