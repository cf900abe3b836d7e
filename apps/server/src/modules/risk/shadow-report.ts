import type { RiskDecision } from '@kassa/contracts';
import { uuidV7Floor } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

/** How a shadow rule set's would-be decisions compare with the live ones, over 28 days. */
export interface ShadowReport {
  readonly object: 'risk_shadow_report';
  readonly rules_version: string;
  readonly movements: number;
  /** The share of movements both decided alike (1 when there are none). */
  readonly agreement: number;
  /** Each pair of (live, shadow) decisions seen, with how many and how many were fraud. */
  readonly matrix: ReadonlyArray<{
    live: RiskDecision;
    shadow: RiskDecision;
    count: number;
    fraud: number;
  }>;
  readonly fraud: {
    readonly labelled: number;
    readonly caught_live: number;
    readonly caught_shadow: number;
  };
}

export async function shadowReport(
  q: Queryable,
  rulesVersion: string,
  now: Date,
): Promise<ShadowReport> {
  const { rows } = await q.query<{
    live: RiskDecision;
    shadow: RiskDecision;
    count: number;
    fraud: number;
  }>(
    `select case when (p.risk->>'enforced')::boolean then p.risk->>'decision' else 'allow' end as live,
            p.risk->'shadow'->>'decision' as shadow,
            count(*)::int as count,
            count(*) filter (where exists (select 1 from risk_labels l
                                            where l.payment_id = p.id and l.label = 'fraud'))::int as fraud
       from payments p
      where p.id > $2 and p.risk->'shadow'->>'rules_version' = $1
      group by 1, 2 order by 1, 2`,
    [rulesVersion, uuidV7Floor(now.getTime() - 28 * 86_400_000)],
  );
  const movements = rows.reduce((n, r) => n + r.count, 0);
  const agreeing = rows.filter((r) => r.live === r.shadow).reduce((n, r) => n + r.count, 0);
  const sum = (pick: (r: (typeof rows)[number]) => boolean) =>
    rows.filter(pick).reduce((n, r) => n + r.fraud, 0);
  return {
    object: 'risk_shadow_report',
    rules_version: rulesVersion,
    movements,
    agreement: movements === 0 ? 1 : agreeing / movements,
    matrix: rows,
    fraud: {
      labelled: sum(() => true),
      caught_live: sum((r) => r.live !== 'allow'),
      caught_shadow: sum((r) => r.shadow !== 'allow'),
    },
  };
}
