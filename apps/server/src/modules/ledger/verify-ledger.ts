import type { Queryable } from '../../platform/db.ts';

export interface LedgerMismatch {
  readonly account: string;
  readonly field: 'debits_posted' | 'credits_posted' | 'debits_pending' | 'credits_pending';
  readonly stored: string;
  /** What replaying the journal (or summing the transfer rows) gives. */
  readonly replayed: string;
  readonly source: 'journal' | 'transfers';
}

export interface LedgerVerification {
  readonly balanced: boolean;
  readonly accounts_checked: number;
  readonly transfers_checked: number;
  readonly currencies: Record<
    string,
    { debits: string; credits: string; pending_debits: string; pending_credits: string }
  >;
  readonly mismatches: LedgerMismatch[];
}

const fields = ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending'] as const;

/**
 * How one transfer moves each balance column, as SQL over a relation `t(d, c, amount, pa, flags)`:
 * plain and post move posted totals; pending and post/void move pending totals.
 */
const effectsSql = `
  select d as account_id,
         case when flags & 10 <> 0 then 0 else amount end as debits_posted,
         0::numeric as credits_posted,
         case when flags & 2 <> 0 then amount when flags & 12 <> 0 then -pa else 0 end as debits_pending,
         0::numeric as credits_pending
    from t
  union all
  select c, 0::numeric,
         case when flags & 10 <> 0 then 0 else amount end,
         0::numeric,
         case when flags & 2 <> 0 then amount when flags & 12 <> 0 then -pa else 0 end
    from t`;

function replaySql(source: 'journal' | 'transfers'): string {
  const relation =
    source === 'journal'
      ? `select (data->>'debit_account_id')::uuid as d, (data->>'credit_account_id')::uuid as c,
              (data->>'amount')::numeric as amount, (data->>'pending_amount')::numeric as pa,
              (data->>'flags')::int as flags
         from journal_events where type = 'ledger.transfer_posted'`
      : `select debit_account_id as d, credit_account_id as c, amount::numeric, pending_amount::numeric as pa, flags
         from ledger_transfers`;
  return `
    with t as (${relation}),
    e as (${effectsSql}),
    r as (select account_id, ${fields.map((f) => `sum(${f}) as ${f}`).join(', ')} from e group by account_id)
    select coalesce(a.id, r.account_id)::text as account,
           ${fields.map((f) => `coalesce(a.${f}, 0)::text as stored_${f}, coalesce(r.${f}, 0)::text as replayed_${f}`).join(',\n')}
      from ledger_accounts a full outer join r on r.account_id = a.id
     where ${fields.map((f) => `coalesce(a.${f}, 0) <> coalesce(r.${f}, 0)`).join(' or ')}`;
}

/**
 * Recomputes every balance twice, by replaying the journal and by summing the transfer rows,
 * compares both with the stored balances, and proves Σdebits = Σcredits per currency. Any
 * difference (a tampered row, a lost update) shows up as a mismatch and `balanced: false`.
 * Runs in one repeatable-read snapshot so that concurrent payments don't cause false alarms.
 */
export async function verifyLedger(
  q: Queryable & { query: Queryable['query'] },
): Promise<LedgerVerification> {
  const mismatches: LedgerMismatch[] = [];
  for (const source of ['journal', 'transfers'] as const) {
    const rows = await q.query<Record<string, string>>(replaySql(source));
    for (const row of rows.rows) {
      for (const field of fields) {
        const stored = row[`stored_${field}`] ?? '0';
        const replayed = row[`replayed_${field}`] ?? '0';
        if (stored !== replayed)
          mismatches.push({ account: row['account'] ?? '', field, stored, replayed, source });
      }
    }
  }
  const totals = await q.query<{
    currency: string;
    d: string;
    c: string;
    dp: string;
    cp: string;
    n: string;
  }>(
    `select currency, sum(debits_posted)::text as d, sum(credits_posted)::text as c,
            sum(debits_pending)::text as dp, sum(credits_pending)::text as cp, count(*)::text as n
       from ledger_accounts group by currency order by currency`,
  );
  const transferCount = await q.query<{ n: string }>(
    'select count(*)::text as n from ledger_transfers',
  );
  const currencies: LedgerVerification['currencies'] = {};
  let accountsChecked = 0;
  let currenciesBalanced = true;
  for (const row of totals.rows) {
    currencies[row.currency] = {
      debits: row.d,
      credits: row.c,
      pending_debits: row.dp,
      pending_credits: row.cp,
    };
    accountsChecked += Number(row.n);
    if (row.d !== row.c || row.dp !== row.cp) currenciesBalanced = false;
  }
  return {
    balanced: currenciesBalanced && mismatches.length === 0,
    accounts_checked: accountsChecked,
    transfers_checked: Number(transferCount.rows[0]?.n ?? 0),
    currencies,
    mismatches: mismatches.slice(0, 1000),
  };
}
