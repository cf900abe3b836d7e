import type { Queryable } from '../../platform/db.ts';
import type { SealedColumn } from '../../platform/reseal.ts';
import type { SecretBox } from '../../platform/secret-box.ts';

export type FlowKind = 'topup' | 'payout';

/**
 * `started`: the processor may have been called; `refunding` (a top-up only): the charge was
 * captured but the ledger refused the credit, so it is being refunded; `finished`: recorded.
 */
export type RecoveryPoint = 'started' | 'refunding' | 'finished';

/** A top-up's or payout's progress (table `processor_flows`, migration 0008). */
export interface FlowRecord {
  readonly paymentId: string;
  readonly kind: FlowKind;
  readonly scope: string;
  readonly key: string;
  readonly requestSha256: Buffer;
  readonly recoveryPoint: RecoveryPoint;
  readonly processorKey: string;
  readonly processorObjectId: string | null;
  readonly actionUrl: string | null;
  readonly paymentMethodId: string | null;
  readonly bankAccountSealed: Buffer | null;
  readonly bankLast4: string | null;
  readonly ledgerTransferId: string;
  readonly holdTransferId: string | null;
  readonly attempts: number;
  readonly leaseUntil: Date;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

const columns = `payment_id, kind, idempotency_scope, idempotency_key, request_sha256, recovery_point,
  processor_key, processor_object_id, action_url, payment_method_id, bank_account_sealed, bank_last4, ledger_transfer_id,
  hold_transfer_id, attempts, lease_until, next_attempt_at, last_error, created_at`;

interface Row {
  payment_id: string;
  kind: FlowKind;
  idempotency_scope: string;
  idempotency_key: string;
  request_sha256: Buffer;
  recovery_point: RecoveryPoint;
  processor_key: string;
  processor_object_id: string | null;
  action_url: string | null;
  payment_method_id: string | null;
  bank_account_sealed: Buffer | null;
  bank_last4: string | null;
  ledger_transfer_id: string;
  hold_transfer_id: string | null;
  attempts: number;
  lease_until: Date;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
}

function fromRow(row: Row): FlowRecord {
  return {
    paymentId: row.payment_id,
    kind: row.kind,
    scope: row.idempotency_scope,
    key: row.idempotency_key,
    requestSha256: row.request_sha256,
    recoveryPoint: row.recovery_point,
    processorKey: row.processor_key,
    processorObjectId: row.processor_object_id,
    actionUrl: row.action_url,
    paymentMethodId: row.payment_method_id,
    bankAccountSealed: row.bank_account_sealed,
    bankLast4: row.bank_last4,
    ledgerTransferId: row.ledger_transfer_id,
    holdTransferId: row.hold_transfer_id,
    attempts: row.attempts,
    leaseUntil: row.lease_until,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

/** Inserts a flow unless its idempotency key is taken; returns whether it was inserted. */
export async function insertFlow(q: Queryable, flow: FlowRecord): Promise<boolean> {
  const result = await q.query(
    `insert into processor_flows (${columns}, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
     on conflict (idempotency_scope, idempotency_key) do nothing`,
    [
      flow.paymentId,
      flow.kind,
      flow.scope,
      flow.key,
      flow.requestSha256,
      flow.recoveryPoint,
      flow.processorKey,
      flow.processorObjectId,
      flow.actionUrl,
      flow.paymentMethodId,
      flow.bankAccountSealed,
      flow.bankLast4,
      flow.ledgerTransferId,
      flow.holdTransferId,
      flow.attempts,
      flow.leaseUntil,
      flow.nextAttemptAt,
      flow.lastError,
      flow.createdAt,
    ],
  );
  return result.rowCount === 1;
}

export async function selectFlowByKey(
  q: Queryable,
  scope: string,
  key: string,
): Promise<FlowRecord | null> {
  const rows = await q.query<Row>(
    `select ${columns} from processor_flows where idempotency_scope = $1 and idempotency_key = $2`,
    [scope, key],
  );
  return rows.rows[0] === undefined ? null : fromRow(rows.rows[0]);
}

export async function selectFlow(
  q: Queryable,
  where: { paymentId: string } | { processorKey: string },
  options: { lock?: boolean } = {},
): Promise<FlowRecord | null> {
  const [column, value] =
    'paymentId' in where ? ['payment_id', where.paymentId] : ['processor_key', where.processorKey];
  const rows = await q.query<Row>(
    `select ${columns} from processor_flows where ${column} = $1 ${options.lock === true ? 'for update' : ''}`,
    [value],
  );
  return rows.rows[0] === undefined ? null : fromRow(rows.rows[0]);
}

/**
 * Takes the right to call the processor for an unfinished flow whose lease has lapsed (its
 * driver finished its attempt or died). Atomic: of two takers, one wins.
 */
export async function takeLease(
  q: Queryable,
  paymentId: string,
  now: Date,
  leaseUntil: Date,
): Promise<boolean> {
  const result = await q.query(
    `update processor_flows set lease_until = $3, attempts = attempts + 1, updated_at = $2
      where payment_id = $1 and recovery_point <> 'finished' and lease_until <= $2`,
    [paymentId, now, leaseUntil],
  );
  return result.rowCount === 1;
}

/** Gives the lease back after an attempt that learned nothing; the next one waits `nextAttemptAt`. */
export async function releaseLease(
  q: Queryable,
  paymentId: string,
  now: Date,
  nextAttemptAt: Date,
  error: string,
): Promise<void> {
  await q.query(
    `update processor_flows set lease_until = $2, next_attempt_at = $3, last_error = $4, updated_at = $2
      where payment_id = $1 and recovery_point <> 'finished'`,
    [paymentId, now, nextAttemptAt, error],
  );
}

/** The cardholder must confirm with their bank: remember where, and wait (lease released). */
export async function markActionRequired(
  q: Queryable,
  paymentId: string,
  processorObjectId: string,
  actionUrl: string,
  now: Date,
  nextAttemptAt: Date,
): Promise<void> {
  await q.query(
    `update processor_flows set processor_object_id = $2, action_url = $3, lease_until = $4, next_attempt_at = $5,
            updated_at = $4
      where payment_id = $1 and recovery_point = 'started'`,
    [paymentId, processorObjectId, actionUrl, now, nextAttemptAt],
  );
}

/**
 * The ledger refused a captured top-up's credit: from now on the flow only refunds the charge
 * (the driver keeps its lease and refunds next).
 */
export async function markRefunding(
  q: Queryable,
  paymentId: string,
  chargeId: string,
  reason: string,
  now: Date,
): Promise<void> {
  await q.query(
    `update processor_flows set recovery_point = 'refunding', processor_object_id = $2, action_url = null,
            last_error = $3, updated_at = $4
      where payment_id = $1 and kind = 'topup' and recovery_point = 'started'`,
    [paymentId, chargeId, reason, now],
  );
}

export async function markFinished(
  q: Queryable,
  paymentId: string,
  processorObjectId: string | null,
  now: Date,
): Promise<void> {
  await q.query(
    `update processor_flows set recovery_point = 'finished', processor_object_id = $2, lease_until = $3, updated_at = $3
      where payment_id = $1`,
    [paymentId, processorObjectId, now],
  );
}

/** Unfinished flows nobody drives, untouched since `idleSince`, due for another attempt. */
export async function selectDueFlows(
  q: Queryable,
  now: Date,
  idleSince: Date,
  limit: number,
): Promise<string[]> {
  const rows = await q.query<{ payment_id: string }>(
    `select payment_id from processor_flows
      where recovery_point <> 'finished' and lease_until <= $1 and next_attempt_at <= $1 and updated_at <= $2
      order by next_attempt_at limit $3`,
    [now, idleSince, limit],
  );
  return rows.rows.map((row) => row.payment_id);
}

export async function countUnfinishedFlows(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: string }>(
    "select count(*)::text as n from processor_flows where recovery_point <> 'finished'",
  );
  return Number(rows.rows[0]?.n ?? 0);
}

/**
 * How long the oldest top-up or payout still `outcome_unknown` has been so, by the database's
 * clock (0: none is). The payment's `updated_at` is when it went unknown: the status changes
 * only on the way in and on the way out (flow-settlement.ts). Walks the unfinished-flow index.
 */
export async function oldestOutcomeUnknownAgeSeconds(q: Queryable): Promise<number> {
  const rows = await q.query<{ age: string | null }>(
    `select extract(epoch from now() - min(p.updated_at))::text as age
       from processor_flows f join payments p on p.id = f.payment_id
      where f.recovery_point <> 'finished' and p.status = 'outcome_unknown'`,
  );
  return Math.max(0, Number(rows.rows[0]?.age ?? 0));
}

/** The sealed bank accounts of payouts, for `kassa keys rotate`. */
export function flowSealedColumns(box: SecretBox): SealedColumn[] {
  return [{ table: 'processor_flows', key: 'payment_id', column: 'bank_account_sealed', box }];
}
