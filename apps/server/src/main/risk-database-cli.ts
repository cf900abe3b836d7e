import type { Config } from '../config/config.ts';
import { recordedRows } from '../modules/risk/index.ts';
import type { Queryable } from '../platform/db.ts';
import { backtestCommand } from './risk-backtest-cli.ts';
import { integer, parseFlags, UsageError } from './risk-cli-flags.ts';
import { trainCommand, trainFlags } from './risk-cli.ts';
import { promoteCommand } from './risk-promote-cli.ts';

/** The `risk` commands that read or write the database (the others run on simulated traffic). */
export function needsDatabase(args: readonly string[]): boolean {
  const sub = args[0];
  return (
    sub === 'promote' || sub === 'backtest' || (sub === 'train' && args.includes('--recorded-days'))
  );
}

/** Runs one of them; returns the exit code (2 bad usage, 1 failed). */
export async function riskDatabaseCommand(
  args: readonly string[],
  db: Queryable,
  now: Date,
  config: Config,
  say: (line: string) => void,
): Promise<number> {
  const rest = args.slice(1);
  try {
    switch (args[0]) {
      case 'promote':
        return await promoteCommand(rest, db, now, say);
      case 'backtest':
        return await backtestCommand(rest, db, config.risk, now, say);
      case 'train':
      case undefined:
      default: {
        const flags = parseFlags(rest, trainFlags);
        const days = integer(flags, 'recorded-days', 90, 1, 3650);
        const recorded = await recordedRows(db, new Date(now.getTime() - days * 86_400_000), now);
        return trainCommand(
          flags,
          config.dataDir,
          say,
          (line) => process.stderr.write(`${line}\n`),
          recorded,
        );
      }
    }
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    process.stderr.write(`kassa risk: ${error.message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
