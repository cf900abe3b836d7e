import { batchStatement, type BatchEffects } from '../../platform/batch-effects.ts';
import type { Queryable } from '../../platform/db.ts';

/**
 * Labels for the next training run: what became of a scored payment. A payer's fraud report,
 * an operator's review verdict and a merchant's refund for fraud (`reason: "fraudulent"`) each
 * leave one label per payment and source (the first one stands).
 */
export interface RiskLabel {
  readonly paymentId: string;
  readonly source: 'payer_report' | 'review_verdict' | 'fraud_refund';
  readonly label: 'fraud' | 'legitimate';
  readonly note: string | null;
  readonly at: Date;
}

const insertLabels = batchStatement<RiskLabel>(
  `insert into risk_labels (payment_id, source, label, note, created_at)
   select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
   on conflict (payment_id, source) do nothing`,
  (l) => [l.paymentId, l.source, l.label, l.note, l.at.toISOString()],
);

/** Adds a label to a ledger batch (a review verdict's, a fraud refund's). */
export function addRiskLabel(effects: BatchEffects, label: RiskLabel): void {
  effects.add(insertLabels, label);
}

/**
 * Records a label now. Returns whether this call added it and when the payment's label of that
 * source was first recorded (a repeated report keeps the first one).
 */
export async function recordRiskLabel(
  q: Queryable,
  label: RiskLabel,
): Promise<{ added: boolean; at: Date }> {
  const { rows } = await q.query<{ created_at: Date; added: boolean }>(
    `with added as (
       insert into risk_labels (payment_id, source, label, note, created_at)
       values ($1, $2, $3, $4, $5) on conflict (payment_id, source) do nothing
       returning created_at)
     select created_at, true as added from added
     union all
     select created_at, false from risk_labels where payment_id = $1 and source = $2
     limit 1`,
    [label.paymentId, label.source, label.label, label.note, label.at.toISOString()],
  );
  const row = rows[0];
  return { added: row?.added ?? false, at: row?.created_at ?? label.at };
}
