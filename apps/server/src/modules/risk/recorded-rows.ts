import { uuidV7Floor } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { featureCount } from './domain/features.ts';
import type { LabelledRows } from './domain/training-set.ts';

/**
 * The decisions recorded in production over a window, as training rows: each with the feature
 * vector it was decided on, labelled 1 when a payer report, a review verdict or a fraud refund
 * said fraud (any source), else 0 (as unreported fraud is in the simulator). A label says
 * nothing of a typology, so `typologies` stay null (the per-typology recall is the
 * simulator's); `fraud` equals the label.
 */
export async function recordedRows(q: Queryable, from: Date, to: Date): Promise<LabelledRows> {
  const { rows } = await q.query<{ id: string; features: string; fraud: boolean; at: Date }>(
    `select p.id, p.risk->>'features' as features, p.created_at as at,
            exists (select 1 from risk_labels l where l.payment_id = p.id and l.label = 'fraud')
              as fraud
       from payments p
      where p.id > $1 and p.id < $2 and p.risk ? 'features'
      order by p.id`,
    [uuidV7Floor(from.getTime()), uuidV7Floor(to.getTime())],
  );
  const usable = rows
    .map((r) => ({ ...r, vector: JSON.parse(r.features) as number[] }))
    .filter((r) => r.vector.length === featureCount);
  const vectors = new Float64Array(usable.length * featureCount);
  usable.forEach((r, i) => vectors.set(r.vector, i * featureCount));
  const labels = Uint8Array.from(usable, (r) => (r.fraud ? 1 : 0));
  return {
    count: usable.length,
    vectors,
    labels,
    fraud: labels,
    typologies: usable.map(() => null),
    lookAlikes: usable.map(() => null),
    atMs: Float64Array.from(usable, (r) => r.at.getTime()),
    eventIds: usable.map((r) => r.id),
  };
}
