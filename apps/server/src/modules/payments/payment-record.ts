import type { PaymentStatus } from '@kassa/contracts';
import { encodeId, type IdPrefix } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import { BatchEffects, batchStatement } from '../../platform/batch-effects.ts';
import type { Queryable } from '../../platform/db.ts';
import type { RiskAssessment } from '../risk/index.ts';
import type { PaymentKind } from './domain/payment-lifecycle.ts';

export interface PaymentRecord {
  readonly id: string;
  readonly kind: PaymentKind;
  readonly status: PaymentStatus;
  readonly payerUserId: string | null;
  readonly payerAccountId: string;
  readonly payeeUserId: string | null;
  readonly merchantId: string | null;
  readonly payeeAccountId: string;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly fee: bigint;
  readonly captureMethod: 'automatic' | 'manual';
  readonly amountCaptured: bigint;
  readonly amountRefunded: bigint;
  readonly holdTransferId: string | null;
  readonly holdExpiresAt: Date | null;
  readonly failureCode: string | null;
  readonly cancellationReason: string | null;
  readonly description: string | null;
  /** Why it waits (or waited) for a second factor (`StepUpReason`); null when it did not. */
  readonly stepUpReason: string | null;
  /** The risk engine's decision, made before the payment posted; null on older rows. */
  readonly risk: RiskAssessment | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const columns = `id, kind, status, payer_user_id, payer_account_id, payee_user_id, merchant_id, payee_account_id,
  amount, currency, fee, capture_method, amount_captured, amount_refunded, hold_transfer_id, hold_expires_at,
  failure_code, cancellation_reason, description, created_at, updated_at, step_up_reason, risk`;

type Row = {
  id: string;
  kind: PaymentKind;
  status: PaymentStatus;
  payer_user_id: string | null;
  payer_account_id: string;
  payee_user_id: string | null;
  merchant_id: string | null;
  payee_account_id: string;
  amount: bigint;
  currency: Currency;
  fee: bigint;
  capture_method: 'automatic' | 'manual';
  amount_captured: bigint;
  amount_refunded: bigint;
  hold_transfer_id: string | null;
  hold_expires_at: Date | null;
  failure_code: string | null;
  cancellation_reason: string | null;
  description: string | null;
  created_at: Date;
  updated_at: Date;
  step_up_reason: string | null;
  risk: RiskAssessment | null;
};

function fromRow(row: Row): PaymentRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    payerUserId: row.payer_user_id,
    payerAccountId: row.payer_account_id,
    payeeUserId: row.payee_user_id,
    merchantId: row.merchant_id,
    payeeAccountId: row.payee_account_id,
    amount: row.amount,
    currency: row.currency,
    fee: row.fee,
    captureMethod: row.capture_method,
    amountCaptured: row.amount_captured,
    amountRefunded: row.amount_refunded,
    holdTransferId: row.hold_transfer_id,
    holdExpiresAt: row.hold_expires_at,
    failureCode: row.failure_code,
    cancellationReason: row.cancellation_reason,
    description: row.description,
    stepUpReason: row.step_up_reason,
    risk: row.risk,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Inserts any number of payments in one statement (a row per payment: `paymentRow`). */
const insertPaymentsSql = `insert into payments (${columns})
  select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[],
    $8::uuid[], $9::bigint[], $10::text[], $11::bigint[], $12::text[], $13::bigint[], $14::bigint[], $15::uuid[],
    $16::timestamptz[], $17::text[], $18::text[], $19::text[], $20::timestamptz[], $21::timestamptz[],
    $22::text[], $23::jsonb[])`;

function paymentRow(p: PaymentRecord): unknown[] {
  return [
    p.id,
    p.kind,
    p.status,
    p.payerUserId,
    p.payerAccountId,
    p.payeeUserId,
    p.merchantId,
    p.payeeAccountId,
    p.amount.toString(),
    p.currency,
    p.fee.toString(),
    p.captureMethod,
    p.amountCaptured.toString(),
    p.amountRefunded.toString(),
    p.holdTransferId,
    p.holdExpiresAt?.toISOString() ?? null,
    p.failureCode,
    p.cancellationReason,
    p.description,
    p.createdAt.toISOString(),
    p.updatedAt.toISOString(),
    p.stepUpReason,
    p.risk === null ? null : JSON.stringify(p.risk),
  ];
}

export type PaymentChange = Partial<
  Pick<
    PaymentRecord,
    | 'status'
    | 'fee'
    | 'amountCaptured'
    | 'amountRefunded'
    | 'failureCode'
    | 'cancellationReason'
    | 'holdTransferId'
    | 'holdExpiresAt'
  >
>;

/** Updates any number of payments in one statement; absent fields keep their value. */
const updatePaymentsSql = `update payments p
    set status = coalesce(v.status, p.status), fee = coalesce(v.fee, p.fee),
        amount_captured = coalesce(v.captured, p.amount_captured), amount_refunded = coalesce(v.refunded, p.amount_refunded),
        failure_code = coalesce(v.failure, p.failure_code), cancellation_reason = coalesce(v.reason, p.cancellation_reason),
        hold_transfer_id = coalesce(v.hold, p.hold_transfer_id), hold_expires_at = coalesce(v.hold_expires, p.hold_expires_at),
        updated_at = v.at
   from unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::timestamptz[],
               $9::uuid[], $10::timestamptz[])
     as v(id, status, fee, captured, refunded, failure, reason, at, hold, hold_expires)
  where p.id = v.id`;

function paymentChangeRow(id: string, change: PaymentChange, now: Date): unknown[] {
  return [
    id,
    change.status ?? null,
    change.fee?.toString() ?? null,
    change.amountCaptured?.toString() ?? null,
    change.amountRefunded?.toString() ?? null,
    change.failureCode ?? null,
    change.cancellationReason ?? null,
    now.toISOString(),
    change.holdTransferId ?? null,
    change.holdExpiresAt?.toISOString() ?? null,
  ];
}

const insertPayments = batchStatement<PaymentRecord>(insertPaymentsSql, paymentRow);
const updatePayments = batchStatement<{ id: string; change: PaymentChange; at: Date }>(
  updatePaymentsSql,
  (row) => paymentChangeRow(row.id, row.change, row.at),
);

/** Adds a new payment's row to a ledger batch. */
export function addPaymentRow(effects: BatchEffects, payment: PaymentRecord): void {
  effects.add(insertPayments, payment);
}

/** Adds a change of a payment (absent fields keep their value) to a ledger batch. */
export function addPaymentChange(
  effects: BatchEffects,
  id: string,
  change: PaymentChange,
  at: Date,
): void {
  effects.add(updatePayments, { id, change, at });
}

/** Inserts a payment now, in the caller's transaction (a top-up or payout flow's first step). */
export async function insertPayment(q: Queryable, payment: PaymentRecord): Promise<void> {
  await BatchEffects.run(q, insertPayments, [payment]);
}

/** Changes a payment now, in the caller's transaction. */
export async function updatePayment(
  q: Queryable,
  id: string,
  change: PaymentChange,
  at: Date,
): Promise<void> {
  await BatchEffects.run(q, updatePayments, [{ id, change, at }]);
}

/** Reads a payment; with `lock`, holds its row until the transaction ends. */
export async function selectPayment(
  q: Queryable,
  id: string,
  options: { lock?: boolean; kind?: PaymentKind } = {},
): Promise<PaymentRecord | null> {
  const rows = await q.query<Row>(
    `select ${columns} from payments where id = $1 and ($2::text is null or kind = $2) ${options.lock === true ? 'for update' : ''}`,
    [id, options.kind ?? null],
  );
  const row = rows.rows[0];
  return row === undefined ? null : fromRow(row);
}

export async function listPayments(
  q: Queryable,
  filter: {
    payerUserId?: string;
    merchantId?: string;
    kind: PaymentKind;
    startingAfter: string | null;
    limit: number;
  },
): Promise<PaymentRecord[]> {
  const rows = await q.query<Row>(
    `select ${columns} from payments
      where kind = $1 and ($2::uuid is null or payer_user_id = $2) and ($3::uuid is null or merchant_id = $3)
        and ($4::uuid is null or id < $4)
      order by id desc limit $5`,
    [
      filter.kind,
      filter.payerUserId ?? null,
      filter.merchantId ?? null,
      filter.startingAfter,
      filter.limit,
    ],
  );
  return rows.rows.map(fromRow);
}

/** The review queue, oldest first: payments and transfers held for an operator. */
export async function listUnderReview(
  q: Queryable,
  options: { dueBy?: Date; limit: number },
): Promise<PaymentRecord[]> {
  const rows = await q.query<Row>(
    `select ${columns} from payments
      where status = 'under_review' and ($1::timestamptz is null or hold_expires_at <= $1)
      order by created_at limit $2`,
    [options.dueBy?.toISOString() ?? null, options.limit],
  );
  return rows.rows.map(fromRow);
}

const wirePrefixes = {
  transfer: 'trf',
  payment: 'pay',
  funding: 'fnd',
  topup: 'top',
  payout: 'po',
} as const satisfies Record<PaymentKind, IdPrefix>;

export function paymentWireId(p: Pick<PaymentRecord, 'kind' | 'id'>): string {
  return encodeId(wirePrefixes[p.kind], p.id);
}

type NewPaymentFields = Pick<
  PaymentRecord,
  | 'id'
  | 'kind'
  | 'status'
  | 'payerUserId'
  | 'payerAccountId'
  | 'payeeUserId'
  | 'merchantId'
  | 'payeeAccountId'
  | 'amount'
  | 'currency'
  | 'description'
> &
  Partial<PaymentRecord>;

/** A new payment: fields every kind shares start empty (no fee, nothing captured, no hold). */
export function newPaymentRecord(fields: NewPaymentFields, now: Date): PaymentRecord {
  return {
    fee: 0n,
    captureMethod: 'automatic',
    amountCaptured: 0n,
    amountRefunded: 0n,
    holdTransferId: null,
    holdExpiresAt: null,
    failureCode: null,
    cancellationReason: null,
    stepUpReason: null,
    risk: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}
