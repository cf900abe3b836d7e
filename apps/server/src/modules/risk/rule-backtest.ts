import type { RiskDecision } from '@kassa/contracts';
import { uuidV7Floor } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { featureIndex } from './domain/features.ts';
import { movementKinds } from './domain/risk-event.ts';
import { modelDecision, type RiskThresholds } from './domain/risk-policy.ts';
import { withRule } from './domain/rule-outcome.ts';
import { ruleContext, type RuleContext } from './rule-language.ts';
import { matchRules, type ActiveRuleSet } from './rule-set-registry.ts';

type Counts = Record<RiskDecision, number>;
const zero = (): Counts => ({ allow: 0, step_up: 0, review: 0, block: 0 });

/** What a draft rule set would have done to past movements, beside what was done. */
export interface BacktestReport {
  readonly object: 'risk_backtest';
  readonly rules_version: string;
  readonly from: string;
  readonly to: string;
  /** Movements with a recorded decision (and its features) in the window. */
  readonly movements: number;
  readonly decisions: Counts;
  readonly live_decisions: Counts;
  /** Movements whose decision the draft would change. */
  readonly changed: number;
  readonly by_rule: Record<string, number>;
  /** Movements labelled fraud (payer reports, review verdicts): how many each would stop. */
  readonly fraud: {
    readonly labelled: number;
    readonly caught: number;
    readonly caught_live: number;
  };
  /** Movements labelled legitimate that the draft would stop (false positives). */
  readonly legitimate_stopped: number;
  readonly elapsed_ms: number;
}

type Row = {
  id: string;
  amount: string;
  currency: string;
  decision: RiskDecision;
  enforced: boolean;
  score: number;
  /** The stored vector as JSON text: parsed alone, it is most of the work. */
  features: string;
};

const pageSize = 5000;

/** The labels of the window's payments: fraud when any source says so. Labels are few. */
async function labelsBetween(q: Queryable, from: string, until: string) {
  const { rows } = await q.query<{ payment_id: string; fraud: boolean }>(
    `select payment_id, bool_or(label = 'fraud') as fraud from risk_labels
      where payment_id > $1 and payment_id < $2 group by payment_id`,
    [from, until],
  );
  return new Map(rows.map((r) => [r.payment_id, r.fraud ? 'fraud' : 'legitimate'] as const));
}

/**
 * Replays the decisions recorded over a window through a rule set: each movement's features
 * and model score as they were when it was decided (stored with the decision), the model's
 * thresholds and enforcement as they stand, and the draft's rules in Radar's order. A
 * movement "stopped" is one the draft would not simply allow.
 */
export async function backtestRules(
  q: Queryable,
  set: ActiveRuleSet,
  options: { from: Date; to: Date; thresholds: RiskThresholds; modelEnforced: boolean },
): Promise<BacktestReport> {
  const started = performance.now();
  const decisions = zero();
  const live = zero();
  const byRule: Record<string, number> = {};
  const fraud = { labelled: 0, caught: 0, caught_live: 0 };
  let movements = 0;
  let changed = 0;
  let legitimateStopped = 0;
  const from = uuidV7Floor(options.from.getTime());
  const until = uuidV7Floor(options.to.getTime());
  const labels = await labelsBetween(q, from, until);
  const page = (after: string) =>
    q.query<Row>(
      `select id, amount::text as amount, currency, risk->>'decision' as decision,
              (risk->>'enforced')::boolean as enforced, (risk->>'score')::int as score,
              risk->>'features' as features
         from payments
        where id > $1 and id < $2 and risk ? 'features'
        order by id limit $3`,
      [after, until, pageSize],
    );
  const context: RuleContext = {};
  // The next page is read while this one is evaluated (PostgreSQL and Node overlap).
  let next = page(from);
  for (;;) {
    const { rows } = await next;
    const last = rows.at(-1);
    const more = last !== undefined && rows.length === pageSize;
    if (more) next = page(last.id);
    for (const row of rows) {
      const features = JSON.parse(row.features) as number[];
      const kind = movementKinds[features[featureIndex.kind] ?? -1];
      if (kind === undefined) continue;
      movements += 1;
      ruleContext(
        {
          kind,
          amountMinor: BigInt(row.amount),
          currency: row.currency,
          score: row.score,
          vector: features,
        },
        context,
      );
      const model = {
        decision: modelDecision(kind, row.score, options.thresholds),
        enforced: options.modelEnforced,
      };
      const match = matchRules(set, context);
      const outcome = withRule(model, match);
      const decision = outcome.enforced ? outcome.decision : 'allow';
      const was = row.enforced ? row.decision : 'allow';
      const label = labels.get(row.id);
      decisions[decision] += 1;
      live[was] += 1;
      if (decision !== was) changed += 1;
      if (match !== null) byRule[match.name] = (byRule[match.name] ?? 0) + 1;
      if (label === 'fraud') {
        fraud.labelled += 1;
        if (decision !== 'allow') fraud.caught += 1;
        if (was !== 'allow') fraud.caught_live += 1;
      } else if (label === 'legitimate' && decision !== 'allow') legitimateStopped += 1;
    }
    if (!more) break;
  }
  return {
    object: 'risk_backtest',
    rules_version: set.label,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    movements,
    decisions,
    live_decisions: live,
    changed,
    by_rule: byRule,
    fraud,
    legitimate_stopped: legitimateStopped,
    elapsed_ms: Math.round(performance.now() - started),
  };
}
