import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  InvalidModelError,
  joinRows,
  modelVersion,
  serializeModel,
  simulate,
  splitByTime,
  summarizeSimulation,
  trainRiskModel,
  type LabelledRows,
} from '../modules/risk/index.ts';
import { integer, modelKind, parseFlags, UsageError, world, type Flags } from './risk-cli-flags.ts';
import { evaluateCommand } from './risk-evaluate-cli.ts';

const help = `usage: npm run kassa -- risk <simulate|train|evaluate|promote|backtest> [options]
  risk simulate --seed N [--users N] [--days N] [--out FILE]
      Labelled synthetic traffic (7 fraud typologies and their look-alikes). Prints counts;
      --out writes the events as JSON lines (amounts in minor units, as strings).
  risk train [--seed N] [--model gbdt|logistic] [--users N] [--days N] [--out FILE]
             [--recorded-days N]
      Simulates, splits by time, trains on the earlier part; writes the model JSON to FILE
      (default <data dir>/risk/model-<version>.json) and prints its version. With
      --recorded-days, also on the decisions recorded over the last N days with their labels
      (payer reports, review verdicts, fraud refunds); needs the database.
  risk evaluate [--seed N | --seeds 1,2,3,4,5] [--model gbdt|logistic] [--model-file FILE]
                [--users N] [--days N] [--json]
      Trains (or loads --model-file) and scores the later, held-out part of each seed's
      traffic: PR-AUC, recall at 0.1% and 1% false-positive rate, recall per typology,
      calibration, the hand-written rules compared at equal recall, training time and
      scoring time per vector; with several seeds, their mean and the targets.
  risk promote --file FILE | --bundled | --version V
      Stores a trained model (or the one bundled with this build) and makes it live; with
      --version, makes a stored one live again (rollback). Needs the database.
  risk backtest --file RULES.json | --rule-set rrs_… [--days 28] [--json]
      Replays the decisions of the last days (with the features each was decided on) through
      draft CEL rules or a stored rule set: what it would block, review and step up, and the
      labelled fraud it would catch. Needs the database.
  Defaults: --seed 1, --users 5000, --days 35 (7 of warm-up), --model gbdt.
  Exit codes: 0 done, 1 failed, 2 bad usage.`;

const seconds = (fromMs: number) => Number(((performance.now() - fromMs) / 1000).toFixed(2));

/** `risk` commands: the fraud model's simulator, training and evaluation. Returns the exit code. */
export function riskCommand(
  args: readonly string[],
  dataDir: string,
  say: (line: string) => void,
): number {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (args.includes('--help') || args.includes('-h') || args.length === 0) {
    say(help);
    return args.length === 0 ? 2 : 0;
  }
  try {
    const rest = args.slice(1);
    switch (args[0]) {
      case 'simulate':
        return simulateCommand(
          parseFlags(rest, { seed: 'value', users: 'value', days: 'value', out: 'value' }),
          say,
        );
      case 'train':
        return trainCommand(parseFlags(rest, trainFlags), dataDir, say, progress, null);
      case 'evaluate':
        return evaluateCommand(
          parseFlags(rest, {
            seed: 'value',
            seeds: 'value',
            users: 'value',
            days: 'value',
            model: 'value',
            'model-file': 'value',
            json: 'switch',
          }),
          say,
          progress,
        );
      case undefined:
      default:
        throw new UsageError(`unknown risk command "${args[0] ?? ''}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kassa risk: ${error.message}\n${help}\n`);
      return 2;
    }
    if (error instanceof InvalidModelError || error instanceof Error) {
      process.stderr.write(`kassa risk: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function simulateCommand(flags: Flags, say: (line: string) => void): number {
  const simulation = simulate(world(flags, integer(flags, 'seed', 1, 0, 2 ** 31 - 1)));
  const out = flags.get('out');
  if (typeof out === 'string') {
    const path = resolve(out);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    const events = simulation.events;
    for (let start = 0; start < events.length; start += 10_000) {
      const lines = events
        .slice(start, start + 10_000)
        .map((e) =>
          JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
        );
      appendFileSync(path, `${lines.join('\n')}\n`);
    }
    say(`wrote ${events.length} events to ${path}`);
  }
  say(JSON.stringify(summarizeSimulation(simulation), null, 2));
  return 0;
}

export const trainFlags = {
  seed: 'value',
  users: 'value',
  days: 'value',
  model: 'value',
  out: 'value',
  'recorded-days': 'value',
} as const;

/**
 * Trains on the simulator's traffic, and with `recorded` on the decisions recorded in
 * production with their labels too (`--recorded-days N`, read by the caller from the database).
 */
export function trainCommand(
  flags: Flags,
  dataDir: string,
  say: (line: string) => void,
  progress: (line: string) => void,
  recorded: LabelledRows | null,
): number {
  const seed = integer(flags, 'seed', 1, 0, 2 ** 31 - 1);
  const kind = modelKind(flags);
  if (flags.get('recorded-days') !== undefined && recorded === null)
    throw new UsageError('--recorded-days needs the database (run it with DATABASE_URL set)');
  progress(`simulating seed ${seed}…`);
  const split = splitByTime(simulate(world(flags, seed)));
  const rows = recorded === null ? split.train : joinRows(split.train, recorded);
  progress(
    `training ${kind} on ${rows.count} rows${recorded === null ? '' : ` (${recorded.count} recorded, ${recorded.labels.reduce((n, l) => n + l, 0)} labelled fraud)`}…`,
  );
  const startedMs = performance.now();
  const model = trainRiskModel(rows, { kind, seed });
  const trainingSeconds = seconds(startedMs);
  const serialized = serializeModel(model);
  const version = modelVersion(serialized);
  const out = flags.get('out');
  const path = resolve(
    typeof out === 'string' ? out : join(dataDir, 'risk', `model-${version}.json`),
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serialized);
  say(
    JSON.stringify(
      {
        model_version: version,
        path,
        kind,
        seed,
        training_rows: rows.count,
        recorded_rows: recorded?.count ?? 0,
        recorded_fraud: recorded === null ? 0 : recorded.labels.reduce((n, l) => n + l, 0),
        training_seconds: trainingSeconds,
        bytes: serialized.length,
      },
      null,
      2,
    ),
  );
  return 0;
}
