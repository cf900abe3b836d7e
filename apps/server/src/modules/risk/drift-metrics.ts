import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../kernel/clock.ts';
import { uuidV7Floor } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { populationStability, scoreBands } from './domain/score-drift.ts';

const dayMs = 86_400_000;

/**
 * The score distribution of the last 24 hours against the 7 days before (PSI, per
 * domain/score-drift.ts), read from the decisions stored with payments.
 */
export async function scoreDrift(q: Queryable, now: Date): Promise<number | null> {
  const { rows } = await q.query<{ recent: boolean; band: number; n: number }>(
    `select id >= $2 as recent, least(9, greatest(0, (risk->>'score')::int / 10)) as band,
            count(*)::int as n
       from payments where id >= $1 and risk ? 'score'
      group by 1, 2`,
    [uuidV7Floor(now.getTime() - 8 * dayMs), uuidV7Floor(now.getTime() - dayMs)],
  );
  const expected = new Array<number>(scoreBands).fill(0);
  const actual = new Array<number>(scoreBands).fill(0);
  for (const r of rows) (r.recent ? actual : expected)[r.band] = r.n;
  return populationStability(expected, actual);
}

/**
 * `kassa_risk_score_psi`: computed when scraped, at most every 5 minutes (a scan of 8 days of
 * payments along the primary key); absent until both periods have decisions.
 */
export function registerDriftMetrics(registry: Registry, db: Queryable, clock: Clock): void {
  let cached: { atMs: number; psi: number | null } | null = null;
  new Gauge({
    name: 'kassa_risk_score_psi',
    help: 'Population stability index of risk scores: the last 24 h against the 7 days before (> 0.25: shifted).',
    registers: [registry],
    async collect() {
      const nowMs = clock.now().getTime();
      if (cached === null || nowMs - cached.atMs >= 300_000)
        cached = { atMs: nowMs, psi: await scoreDrift(db, clock.now()) };
      this.reset();
      if (cached.psi !== null) this.set(cached.psi);
    },
  });
}
