import type { Currency } from '../../../kernel/money.ts';
import type { DbClient, Queryable } from '../../../platform/db.ts';
import { addJournalEvents, appendEvents, type JournalEvent } from '../../journal/index.ts';
import { batchStatement, type BatchEffects } from '../../../platform/batch-effects.ts';
import type { AppliedBatch } from '../domain/apply-transfers.ts';
import type {
  Account,
  LedgerState,
  PendingStatus,
  PendingTransfer,
  Transfer,
  TransferInput,
} from '../domain/ledger-types.ts';

interface AccountRow {
  id: string;
  currency: string;
  code: string;
  flags: number;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
}

interface TransferRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: bigint;
  pending_amount: bigint;
  currency: string;
  code: string;
  flags: number;
  pending_id: string | null;
  timeout_seconds: number;
  created_at: Date;
}

const accountColumns =
  'id, currency, code, flags, debits_posted, credits_posted, debits_pending, credits_pending';
const transferColumns = `id, debit_account_id, credit_account_id, amount, pending_amount, currency,
  code, flags, pending_id, timeout_seconds, created_at`;

export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    currency: row.currency as Currency,
    code: row.code,
    flags: row.flags,
    debitsPosted: row.debits_posted,
    creditsPosted: row.credits_posted,
    debitsPending: row.debits_pending,
    creditsPending: row.credits_pending,
  };
}

export function transferFromRow(row: TransferRow): Transfer {
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: row.amount,
    pendingAmount: row.pending_amount,
    currency: row.currency as Currency,
    code: row.code,
    flags: row.flags,
    pendingId: row.pending_id,
    timeoutSeconds: row.timeout_seconds,
    createdAt: row.created_at,
  };
}

export interface NewAccount {
  readonly id: string;
  readonly currency: Currency;
  readonly code: string;
  readonly flags: number;
}

export async function insertAccounts(q: Queryable, accounts: readonly NewAccount[]): Promise<void> {
  if (accounts.length === 0) return;
  await q.query(
    `insert into ledger_accounts (id, currency, code, flags)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::int[])`,
    [
      accounts.map((a) => a.id),
      accounts.map((a) => a.currency),
      accounts.map((a) => a.code),
      accounts.map((a) => a.flags),
    ],
  );
  await appendEvents(
    q,
    accounts.map((a) => ({ type: 'ledger.account_opened', streamId: a.id, data: { ...a } })),
  );
}

export async function selectAccounts(q: Queryable, ids: readonly string[]): Promise<Account[]> {
  const result = await q.query<AccountRow>(
    `select ${accountColumns} from ledger_accounts where id = any($1::uuid[])`,
    [ids],
  );
  return result.rows.map(accountFromRow);
}

/**
 * Loads and locks what a batch touches. Lock order is fixed for every transaction (pending rows
 * by id, then accounts by id) so concurrent batches never deadlock, and everything is read
 * after the locks are held so no decision rests on a stale balance.
 */
export async function loadForBatch(
  client: DbClient,
  inputs: readonly TransferInput[],
  options: { readonly idsAreNew?: boolean } = {},
): Promise<LedgerState> {
  const pendingIds = [...new Set(inputs.flatMap((i) => (i.pendingId ? [i.pendingId] : [])))].sort();
  const pendings = new Map<string, PendingTransfer>();
  const accountIds = new Set<string>();
  for (const input of inputs) {
    if (input.debitAccountId !== undefined) accountIds.add(input.debitAccountId);
    if (input.creditAccountId !== undefined) accountIds.add(input.creditAccountId);
  }
  if (pendingIds.length > 0) {
    const rows = await client.query<
      TransferRow & { status: PendingStatus; expires_at: Date | null; resolved_by: string | null }
    >(
      `select t.id, t.debit_account_id, t.credit_account_id, t.amount, t.pending_amount, t.currency,
              t.code, t.flags, t.pending_id, t.timeout_seconds, t.created_at,
              p.status, p.expires_at, p.resolved_by
         from ledger_pending_transfers p join ledger_transfers t on t.id = p.transfer_id
        where p.transfer_id = any($1::uuid[])
        order by p.transfer_id
          for update of p`,
      [pendingIds],
    );
    for (const row of rows.rows) {
      const transfer = transferFromRow(row);
      pendings.set(transfer.id, {
        transfer,
        status: row.status,
        expiresAt: row.expires_at,
        resolvedBy: row.resolved_by,
      });
      accountIds.add(transfer.debitAccountId);
      accountIds.add(transfer.creditAccountId);
    }
  }
  const accounts = new Map<string, Account>();
  if (accountIds.size > 0) {
    const rows = await client.query<AccountRow>(
      `select ${accountColumns} from ledger_accounts where id = any($1::uuid[]) order by id for no key update`,
      [[...accountIds].sort()],
    );
    for (const row of rows.rows) accounts.set(row.id, accountFromRow(row));
  }
  const transfers = new Map<string, Transfer>();
  // Ids the server just generated (UUIDv7) cannot exist yet; client-supplied ones are looked up
  // so that a resent transfer returns `exists`.
  if (options.idsAreNew === true) return { accounts, transfers, pendings };
  const rows = await client.query<TransferRow>(
    `select ${transferColumns} from ledger_transfers where id = any($1::uuid[])`,
    [inputs.map((i) => i.id)],
  );
  for (const row of rows.rows) transfers.set(row.id, transferFromRow(row));
  return { accounts, transfers, pendings };
}

const insertTransfers = batchStatement<Transfer>(
  `insert into ledger_transfers (${transferColumns})
  select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::bigint[], $6::text[],
                       $7::text[], $8::int[], $9::uuid[], $10::int[], $11::timestamptz[])`,
  (t) => [
    t.id,
    t.debitAccountId,
    t.creditAccountId,
    t.amount.toString(),
    t.pendingAmount.toString(),
    t.currency,
    t.code,
    t.flags,
    t.pendingId,
    t.timeoutSeconds,
    t.createdAt.toISOString(),
  ],
);

const upsertPending = batchStatement<PendingTransfer>(
  `insert into ledger_pending_transfers (transfer_id, status, expires_at, resolved_by)
  select * from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::uuid[])
  on conflict (transfer_id) do update set status = excluded.status, resolved_by = excluded.resolved_by`,
  (p) => [p.transfer.id, p.status, p.expiresAt?.toISOString() ?? null, p.resolvedBy],
);

const updateAccounts = batchStatement<Account>(
  `update ledger_accounts a
    set debits_posted = v.dp, credits_posted = v.cp, debits_pending = v.dq, credits_pending = v.cq
   from unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) as v(id, dp, cp, dq, cq)
  where a.id = v.id`,
  (a) => [
    a.id,
    a.debitsPosted.toString(),
    a.creditsPosted.toString(),
    a.debitsPending.toString(),
    a.creditsPending.toString(),
  ],
);

/**
 * Adds a decided batch's writes to `effects`: new transfers, pending states, final balances and
 * the journal events, one statement per table, whatever the batch size. The caller flushes.
 */
export function writeBatch(effects: BatchEffects, applied: AppliedBatch): void {
  for (const t of applied.created) effects.add(insertTransfers, t);
  addJournalEvents(effects, applied.created.map(transferPostedEvent));
  for (const p of applied.pendingChanges.values()) effects.add(upsertPending, p);
  for (const a of applied.changedAccounts.values()) effects.add(updateAccounts, a);
}

function transferPostedEvent(t: Transfer): JournalEvent {
  return {
    type: 'ledger.transfer_posted',
    streamId: t.id,
    data: {
      id: t.id,
      debit_account_id: t.debitAccountId,
      credit_account_id: t.creditAccountId,
      amount: t.amount,
      pending_amount: t.pendingAmount,
      currency: t.currency,
      code: t.code,
      flags: t.flags,
      pending_id: t.pendingId,
      timeout_seconds: t.timeoutSeconds,
      created_at: t.createdAt.toISOString(),
    },
  };
}

/** Pending transfers whose timeout has passed, oldest first. */
export async function selectExpiredPendingIds(
  q: Queryable,
  now: Date,
  limit: number,
): Promise<string[]> {
  const result = await q.query<{ transfer_id: string }>(
    `select transfer_id from ledger_pending_transfers
      where status = 'pending' and expires_at <= $1 order by expires_at limit $2`,
    [now.toISOString(), limit],
  );
  return result.rows.map((row) => row.transfer_id);
}
