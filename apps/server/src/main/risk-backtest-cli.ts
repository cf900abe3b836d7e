import { readFileSync } from 'node:fs';
import type { RiskSettings } from '../config/config.ts';
import { decodeId } from '../kernel/ids.ts';
import {
  activeRuleSet,
  backtestRules,
  compileRules,
  getRuleSet,
  riskThresholds,
  RuleError,
  type BacktestReport,
  type RuleSource,
} from '../modules/risk/index.ts';
import type { Queryable } from '../platform/db.ts';
import { integer, parseFlags, UsageError } from './risk-cli-flags.ts';

/**
 * `kassa risk backtest --file RULES.json | --rule-set rrs_… [--days 28] [--json]`: replays the
 * decisions of the last days (each with the features it was decided on) through draft rules
 * (a JSON array of rules, or `{ "rules": [...] }`) or a stored rule set, and prints what it
 * would have blocked, reviewed and stepped up, and the labelled fraud it would have caught.
 * Exit codes: 0 done, 1 the rules do not compile or the set does not exist, 2 bad usage.
 */
export async function backtestCommand(
  args: readonly string[],
  db: Queryable,
  settings: RiskSettings,
  now: Date,
  say: (line: string) => void,
): Promise<number> {
  const flags = parseFlags(args, {
    file: 'value',
    'rule-set': 'value',
    days: 'value',
    json: 'switch',
  });
  const file = flags.get('file');
  const wire = flags.get('rule-set');
  if ((typeof file === 'string') === (typeof wire === 'string'))
    throw new UsageError('risk backtest needs exactly one of --file RULES.json, --rule-set rrs_…');
  const days = integer(flags, 'days', 28, 1, 90);
  let set;
  if (typeof wire === 'string') {
    const id = decodeId('rrs', wire);
    const stored = id === null ? null : await getRuleSet(db, id);
    if (stored === null) {
      process.stderr.write(`kassa risk backtest: no rule set ${wire}\n`);
      return 1;
    }
    set = activeRuleSet(stored);
  } else {
    const parsed = JSON.parse(readFileSync(file as string, 'utf8')) as
      RuleSource[] | { rules: RuleSource[] };
    try {
      set = {
        id: 'draft',
        label: 'draft',
        rules: compileRules(Array.isArray(parsed) ? parsed : parsed.rules),
      };
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      process.stderr.write(`kassa risk backtest: ${error.param}: ${error.message}\n`);
      return 1;
    }
  }
  const promoted = await db.query(
    'select 1 from risk_models where promoted_at is not null limit 1',
  );
  const report = await backtestRules(db, set, {
    from: new Date(now.getTime() - days * 86_400_000),
    to: now,
    thresholds: riskThresholds(settings),
    modelEnforced: settings.mode === 'enforce' && promoted.rows.length > 0,
  });
  say(flags.get('json') === true ? JSON.stringify(report, null, 2) : describe(report));
  return 0;
}

function describe(r: BacktestReport): string {
  const d = r.decisions;
  const l = r.live_decisions;
  const rules = Object.entries(r.by_rule)
    .map(([name, n]) => `    ${name}: ${n}`)
    .join('\n');
  return [
    `backtest of ${r.rules_version}: ${r.movements} movements decided ${r.from} – ${r.to} (${r.elapsed_ms} ms)`,
    `  would block ${d.block}, review ${d.review}, step up ${d.step_up}, allow ${d.allow}`,
    `  live did    block ${l.block}, review ${l.review}, step up ${l.step_up}, allow ${l.allow}`,
    `  decisions changed: ${r.changed}`,
    `  labelled fraud: ${r.fraud.labelled}; caught by the draft ${r.fraud.caught}, by live ${r.fraud.caught_live}`,
    `  labelled legitimate the draft would stop: ${r.legitimate_stopped}`,
    ...(rules === '' ? [] : ['  matches by rule:', rules]),
  ].join('\n');
}
