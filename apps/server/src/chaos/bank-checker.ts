import pg from 'pg';
import { decodeId } from '../kernel/ids.ts';
import type { Attempt, Bank } from './workload.ts';

/**
 * Jepsen's bank test over what the clients saw (top-ups bring money in from cards): every payment a client was told succeeded exists
 * exactly once, every one it was told failed moved nothing, every unknown was resolved, money is
 * conserved and no balance is negative — and Kassa's own ledger verification agrees.
 */
export interface BankCheck {
  readonly attempts: number;
  readonly ok: number;
  readonly failed: number;
  /** Still unknown after the retries (must be 0). */
  readonly unresolved: number;
  /** Told ok, but not in the database as succeeded (must be 0). */
  readonly lost: number;
  /** Succeeded in the database more times than clients were told (must be 0). */
  readonly duplicated: number;
  /** Wallets whose balance differs from what the clients' outcomes imply (must be 0). */
  readonly balanceMismatches: number;
  readonly negativeBalances: number;
  readonly conserved: boolean;
  readonly ledgerBalanced: boolean;
  readonly passed: boolean;
}

export async function checkBank(bank: Bank, databaseUrl: string): Promise<BankCheck> {
  const attempts = bank.attempts;
  const ok = attempts.filter((a) => a.outcome === 'ok');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const none = '00000000-0000-0000-0000-000000000000';
    const prefix = { transfer: 'trf', payment: 'pay', topup: 'top' } as const;
    const ids = ok.map((a) => decodeId(prefix[a.kind], a.id ?? '') ?? none);
    const found = await client.query<{ id: string; status: string }>(
      'select id, status from payments where id = any($1::uuid[])',
      [ids],
    );
    const succeeded = new Set(found.rows.filter((r) => r.status === 'succeeded').map((r) => r.id));
    const lost = ids.filter((id) => !succeeded.has(id)).length;
    const wallets = bank.payers.map((p) => decodeId('wal', p.walletId) ?? '');
    // Money out of the payers' wallets, and top-ups into them.
    const inDatabase = await client.query<{ n: number }>(
      `select count(*)::int as n from payments p
        where p.status = 'succeeded'
          and ((p.payer_account_id = any($1::uuid[]) and p.kind in ('transfer', 'payment'))
            or (p.payee_account_id = any($1::uuid[]) and p.kind = 'topup'))`,
      [wallets],
    );
    const duplicated = Math.max(0, (inDatabase.rows[0]?.n ?? 0) - ok.length);
    const balances = await walletBalances(client, wallets);
    const expected = expectedBalances(bank, ok);
    let balanceMismatches = 0;
    let negativeBalances = 0;
    wallets.forEach((wallet, i) => {
      const actual = balances.get(wallet) ?? NaN;
      if (actual !== expected[i]) balanceMismatches += 1;
      if (actual < 0) negativeBalances += 1;
    });
    const paidToMerchant = ok.filter((a) => a.kind === 'payment').reduce((s, a) => s + a.amount, 0);
    const total = [...balances.values()].reduce((s, b) => s + b, 0) + paidToMerchant;
    const verify = await fetch(`${bank.apiUrl}/v1/admin/ledger/verify`, {
      headers: { authorization: `Bearer ${bank.operatorKey}` },
    });
    const ledgerBalanced = ((await verify.json()) as { balanced?: boolean }).balanced === true;
    const unresolved = attempts.filter((a) => a.outcome === 'unknown').length;
    const toppedUp = ok.filter((a) => a.kind === 'topup').reduce((s, a) => s + a.amount, 0);
    const conserved = total === bank.initialBalance * bank.payers.length + toppedUp;
    return {
      attempts: attempts.length,
      ok: ok.length,
      failed: attempts.filter((a) => a.outcome === 'failed').length,
      unresolved,
      lost,
      duplicated,
      balanceMismatches,
      negativeBalances,
      conserved,
      ledgerBalanced,
      passed:
        unresolved === 0 &&
        lost === 0 &&
        duplicated === 0 &&
        balanceMismatches === 0 &&
        negativeBalances === 0 &&
        conserved &&
        ledgerBalanced,
    };
  } finally {
    await client.end();
  }
}

function expectedBalances(bank: Bank, ok: readonly Attempt[]): number[] {
  const balances = bank.payers.map(() => bank.initialBalance);
  for (const a of ok) {
    balances[a.from] = (balances[a.from] ?? 0) + (a.kind === 'topup' ? a.amount : -a.amount);
    if (a.to >= 0) balances[a.to] = (balances[a.to] ?? 0) + a.amount;
  }
  return balances;
}

/** Posted balance of each wallet's ledger account (credits − debits), from the database. */
async function walletBalances(client: pg.Client, wallets: readonly string[]) {
  const rows = await client.query<{ id: string; balance: string }>(
    `select w.id, (a.credits_posted - a.debits_posted)::text as balance
       from wallets w join ledger_accounts a on a.id = w.id
      where w.id = any($1::uuid[])`,
    [wallets],
  );
  return new Map(rows.rows.map((r) => [r.id, Number(r.balance)]));
}
