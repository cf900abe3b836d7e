import {
  busyFloorPerMinute,
  incidentKinds,
  replayAnomalies,
  summarizeReplay,
  type IncidentStats,
  type ReplayReport,
  type ReplaySummary,
} from '../modules/anomaly/index.ts';
import { integer, parseFlags, UsageError, type Flags } from './risk-cli-flags.ts';

const help = `usage: npm run kassa -- anomaly replay [--seed N | --seeds 1,2,3] [--days N]
                                     [--history-days N] [--json]
  Replays the business-slice anomaly detector on seeded synthetic traffic (daily and weekly
  seasonality, drift, Poisson noise; 9 slices and the processor's) with injected incidents:
  50% volume drops, 5x decline spikes, outcome_unknown bursts, fraud block waves. Prints recall
  (and within 10 minutes), detection delay, false alerts per week and precision, for every
  incident and for those in slices busier than ${busyFloorPerMinute} payments a minute. No database.
  Defaults: --seed 1, --days 14, --history-days 28 (the baselines' four past weeks).
  Exit codes: 0 done, 2 bad usage.`;

function seedsOf(flags: Flags): number[] {
  const list = flags.get('seeds');
  if (list === undefined) return [integer(flags, 'seed', 1, 0, 2 ** 31 - 1)];
  const seeds = String(list).split(',').map(Number);
  if (seeds.length === 0 || seeds.some((seed) => !Number.isInteger(seed) || seed < 0))
    throw new UsageError(`--seeds ${String(list)}: integers separated by commas`);
  return seeds;
}

const percent = (share: number) => `${(share * 100).toFixed(0)}%`;

function line(name: string, stats: IncidentStats): string {
  const delay = stats.detectionMinutes;
  return [
    name.padEnd(22),
    `${stats.detectedWithin10Minutes}/${stats.incidents} within 10 min`.padEnd(20),
    `(${percent(stats.recallWithin10Minutes)})`.padEnd(7),
    `detected ${stats.detected}`.padEnd(13),
    delay === null ? '' : `median ${delay.median} min, max ${delay.max} min`,
  ].join(' ');
}

function describe(summary: ReplaySummary, heading: string, say: (line: string) => void) {
  say(heading);
  say(`  every incident (nights and the tiny kiosk included):`);
  say(`    ${line('all', summary.all)}`);
  for (const kind of incidentKinds) say(`    ${line(kind, summary.byKind[kind].all)}`);
  say(`  in slices expecting at least ${busyFloorPerMinute} payments a minute:`);
  say(`    ${line('all', summary.busy)}`);
  for (const kind of incidentKinds) say(`    ${line(kind, summary.byKind[kind].busy)}`);
  say(
    `  alerts ${summary.alerts}, false ${summary.falseAlerts} (${summary.falseAlertsPerWeek.toFixed(2)} a week), precision ${percent(summary.precision)}`,
  );
}

/** `anomaly replay`: the detector's figures on synthetic traffic. Returns the exit code. */
export function anomalyCommand(args: readonly string[], say: (line: string) => void): number {
  if (args.includes('--help') || args.includes('-h') || args[0] !== 'replay') {
    say(help);
    return args.includes('--help') || args.includes('-h') ? 0 : 2;
  }
  try {
    const flags = parseFlags(args.slice(1), {
      seed: 'value',
      seeds: 'value',
      days: 'value',
      'history-days': 'value',
      json: 'switch',
    });
    const days = integer(flags, 'days', 14, 1, 56);
    const historyDays = integer(flags, 'history-days', 28, 7, 56);
    const reports: ReplayReport[] = seedsOf(flags).map((seed) =>
      replayAnomalies({ seed, days, historyDays }),
    );
    const overall = summarizeReplay(
      reports.flatMap((r) => r.outcomes),
      reports.flatMap((r) => r.alertList),
      days * reports.length,
    );
    if (flags.has('json')) {
      say(JSON.stringify({ overall, reports }, null, 2));
      return 0;
    }
    for (const report of reports)
      describe(report, `seed ${report.seed}: ${days} days after ${historyDays} of history`, say);
    if (reports.length > 1) describe(overall, `all ${reports.length} seeds`, say);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`${error.message}\n${help}`);
    return 2;
  }
}
