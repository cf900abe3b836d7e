import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import type { RecoveryPoint } from './flow-store.ts';
import type { SettlementEntry } from './domain/processor-objects.ts';
import type { ProcessorClient } from './processor-client.ts';

export interface Mismatch {
  readonly kind: 'missing_in_ledger' | 'missing_at_processor' | 'amount_differs';
  readonly processor_key: string;
  readonly ledger: { readonly amount: string; readonly currency: string } | null;
  readonly processor: { readonly amount: string; readonly currency: string } | null;
}

export interface ReconciliationReport {
  readonly id: string;
  /** Keys that agree on both sides. */
  readonly matched: number;
  /** Flows not finished yet: their processor side is not compared until they are. */
  readonly in_flight: number;
  readonly mismatches: readonly Mismatch[];
}

interface LedgerSide {
  processor_key: string;
  recovery_point: RecoveryPoint;
  amount: bigint | null;
  currency: string | null;
}

/**
 * Compares what the ledger says went through the processor (top-up credits, posted payouts:
 * the transfers themselves, not the payment rows) with the processor's settlement report,
 * key by key. Every difference is listed; a clean run has none. Kassa's own refunds of a flow's
 * capture (key `<processor key>_refund`: a top-up the wallet could not hold) count against it,
 * so a capture refunded in full settles nothing.
 */
export async function reconcile(deps: {
  db: Db;
  processor: ProcessorClient;
  clock: Clock;
}): Promise<ReconciliationReport> {
  const startedAt = deps.clock.now();
  const report = await deps.processor.settlement();
  const settled = new Map<string, { amount: bigint; currency: string }>();
  const add = (key: string, entry: SettlementEntry, sign: bigint) => {
    const seen = settled.get(key);
    const amount = (seen?.amount ?? 0n) + sign * BigInt(entry.amount);
    if (amount === 0n) settled.delete(key);
    else settled.set(key, { amount, currency: entry.currency });
  };
  for (const entry of report) {
    if (entry.type !== 'refund') add(entry.idempotency_key, entry, 1n);
    else if (/^kassa_topup_.+_refund$/.test(entry.idempotency_key))
      add(entry.idempotency_key.slice(0, -'_refund'.length), entry, -1n);
  }
  const rows = await deps.db.query<LedgerSide>(
    `select f.processor_key, f.recovery_point, t.amount, t.currency
       from processor_flows f
       left join ledger_transfers t on t.id = f.ledger_transfer_id and t.code in ('topup', 'payout')`,
  );
  const mismatches: Mismatch[] = [];
  let matched = 0;
  let inFlight = 0;
  const known = new Set<string>();
  for (const row of rows) {
    known.add(row.processor_key);
    const processor = settled.get(row.processor_key);
    if (row.recovery_point !== 'finished') {
      inFlight += 1;
      continue;
    }
    const ledger =
      row.amount === null || row.currency === null
        ? null
        : { amount: row.amount, currency: row.currency };
    if (ledger === null && processor === undefined) continue; // failed on both sides
    if (ledger === null || processor === undefined) {
      mismatches.push({
        kind: ledger === null ? 'missing_in_ledger' : 'missing_at_processor',
        processor_key: row.processor_key,
        ledger: ledger === null ? null : wire(ledger),
        processor: processor === undefined ? null : wire(processor),
      });
    } else if (ledger.amount !== processor.amount || ledger.currency !== processor.currency) {
      mismatches.push({
        kind: 'amount_differs',
        processor_key: row.processor_key,
        ledger: wire(ledger),
        processor: wire(processor),
      });
    } else {
      matched += 1;
    }
  }
  for (const [key, processor] of settled) {
    if (known.has(key) || !key.startsWith('kassa_')) continue;
    mismatches.push({
      kind: 'missing_in_ledger',
      processor_key: key,
      ledger: null,
      processor: wire(processor),
    });
  }
  const id = newUuid();
  await deps.db.query(
    `insert into reconciliation_runs (id, started_at, finished_at, matched, in_flight, mismatches)
     values ($1, $2, $3, $4, $5, $6)`,
    [id, startedAt, deps.clock.now(), matched, inFlight, JSON.stringify(mismatches)],
  );
  return { id, matched, in_flight: inFlight, mismatches };
}

function wire(side: { amount: bigint; currency: string }) {
  return { amount: side.amount.toString(), currency: side.currency };
}
