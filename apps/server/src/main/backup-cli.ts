import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config.ts';
import {
  archiveSettings,
  checkInRange,
  listBackups,
  parseRestoreTarget,
  pgbackrestConf,
  restorableRange,
  restoreBeside,
  restoreInPlace,
  RestoreError,
  RestoreTargetError,
  runDrill,
  takeBackup,
  withBackupLock,
  type BackupTarget,
  type BackupType,
} from '../modules/backup/index.ts';
import { readAnchors } from '../modules/journal/index.ts';
import { stopCluster } from '../platform/pg-cluster.ts';
import { backupTarget, liveDatabase, withSystem } from './cli-system.ts';
import { plantDrillCard } from './drill-canary.ts';
import { loadSecrets } from './secrets.ts';

const help = {
  backup: `usage: npm run kassa -- backup [--type full|diff|incr] [--repo 1|2]
  Takes a backup (default: incremental; the first is always full) into every repository, or
  only --repo. pgBackRest copies the files while Kassa runs: payments carry on.
       npm run kassa -- backup list
  Every backup of every repository and the span of time it can restore to.
       npm run kassa -- backup config [--pg-data DIR] [--pg-port PORT] [--pg-socket DIR]
       npm run kassa -- backup config --postgresql
  For a DATABASE_URL cluster: prints the pgBackRest configuration (it holds the repositories'
  cipher keys: keep it 0600), or with --postgresql the postgresql.conf lines that archive WAL
  into it.
  Exit codes: 0 done, 1 failed, 2 bad usage.`,
  restore: `usage: npm run kassa -- restore --to <RFC 3339 time|latest> --port PORT [--data DIR] [--repo 1|2]
  Restores the backups into a NEW cluster beside the live one, replays WAL to the moment given
  (2026-12-01T14:02:59Z: the last commit at or before it) and starts it on PORT; prints its
  DATABASE_URL. The live cluster is never touched.
       npm run kassa -- restore --to <time|latest> --in-place --yes [--repo 1|2]
  Restores over the live cluster's own data folder (a lost or damaged primary); refused while
  Kassa or its PostgreSQL runs. The next npm start replays WAL to the moment, then carries on.
       npm run kassa -- restore stop --data DIR
  Stops a restored cluster.
  Exit codes: 0 done, 1 failed, 2 bad usage.`,
  dr: `usage: npm run kassa -- dr drill
  The restore drill: backs up, restores to a moment between two backups from every repository
  (repo2 alone too) into scratch clusters, and proves each copy right: journal replay equals the
  stored balances, debits equal credits per currency, the journal and audit hash chains and the
  journal's anchors hold, amcheck finds nothing, the change before the moment is there and the
  one after is not, and a card number planted through the vault is in no repository file and no
  restored table or file. Prints RPO (archive lag), RTO (restore + WAL replay) and MB/s.
  Exit codes: 0 passed, 1 a check failed, 2 bad usage.`,
};

type Flags = ReadonlyMap<string, string | true>;

/** `--name value` and bare `--name` switches; anything else is a usage error. */
function parseFlags(args: readonly string[], known: Record<string, 'value' | 'switch'>): Flags {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    const kind = name === null ? undefined : known[name];
    if (name === null || kind === undefined) throw new UsageError(`unknown argument "${arg}"`);
    if (kind === 'switch') flags.set(name, true);
    else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      i += 1;
    }
  }
  return flags;
}

class UsageError extends Error {}

function value(flags: Flags, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function repoFlag(flags: Flags, target: BackupTarget): number | undefined {
  const raw = value(flags, 'repo');
  if (raw === undefined) return undefined;
  const repo = Number(raw);
  if (!target.repos.includes(repo))
    throw new UsageError(
      `--repo ${raw}: the repositories are ${target.repos.map((r) => String(r)).join(' and ')}`,
    );
  return repo;
}

function portFlag(flags: Flags): number {
  const raw = value(flags, 'port');
  if (raw === undefined)
    throw new UsageError('--port is required: a free port for the restored cluster');
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65_535)
    throw new UsageError(`--port ${raw} is not a port from 1024 to 65535`);
  return port;
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const iso = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * `backup`, `restore` and `dr` commands. Writes progress to stderr and results to stdout;
 * returns the exit code.
 */
export async function backupCommand(
  command: 'backup' | 'restore' | 'dr',
  args: readonly string[],
  config: Config,
  say: (line: string) => void,
): Promise<number> {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (args.includes('--help') || args.includes('-h')) {
    say(help[command]);
    return 0;
  }
  try {
    const secrets = await loadSecrets(config);
    if (command === 'backup' && args[0] === 'config')
      return backupConfig(args.slice(1), config, secrets, say);
    const target = await backupTarget(config, secrets);
    if (target === null)
      throw new RestoreError(
        config.databaseUrl !== undefined
          ? 'no backups are configured for DATABASE_URL: set KASSA_BACKUP_CONFIG (npm run kassa -- backup config)'
          : config.backup.enabled
            ? 'backups are off: pgBackRest is not installed (bash scripts/ensure-pgbackrest.sh)'
            : 'backups are off (BACKUPS=off)',
      );
    switch (command) {
      case 'backup':
        return args[0] === 'list'
          ? await backupList(args.slice(1), config, target, say)
          : await backupNow(args, config, target, say, progress);
      case 'restore':
        return args[0] === 'stop'
          ? await restoreStop(args.slice(1), target, say)
          : await restore(args, config, target, say, progress);
      case 'dr':
        if (args[0] !== 'drill' || args.length > 1)
          throw new UsageError('the dr command is: dr drill');
        return await drill(config, target, say, progress);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kassa ${command}: ${error.message}\n${help[command]}\n`);
      return 2;
    }
    if (
      error instanceof RestoreTargetError ||
      error instanceof RestoreError ||
      error instanceof Error
    ) {
      process.stderr.write(`kassa ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function backupNow(
  args: readonly string[],
  config: Config,
  target: BackupTarget,
  say: (line: string) => void,
  progress: (line: string) => void,
): Promise<number> {
  const flags = parseFlags(args, { type: 'value', repo: 'value' });
  const type = (value(flags, 'type') ?? 'incr') as BackupType;
  if (!['full', 'diff', 'incr'].includes(type))
    throw new UsageError(`--type ${type}: one of full, diff, incr`);
  const only = repoFlag(flags, target);
  return withSystem(config, async (system) => {
    const waiting = () => progress('waiting for the backup in progress…');
    const done = await withBackupLock(system.db.pool, { wait: true, onWait: waiting }, async () => {
      for (const repo of only === undefined ? target.repos : [only]) {
        progress(`backing up to repo${repo} (${type})…`);
        const result = await takeBackup(
          { db: system.db.pool, target, clock: system.clock },
          { type, repo },
        );
        say(
          `repo${repo}: ${result.type} backup ${result.label} in ${result.seconds.toFixed(1)} s: ${megabytes(result.sizeBytes)} of database, ${megabytes(result.repoSizeBytes)} stored (compressed, encrypted)`,
        );
      }
      return 0;
    });
    return done ?? 1;
  });
}

async function backupList(
  args: readonly string[],
  config: Config,
  target: BackupTarget,
  say: (line: string) => void,
): Promise<number> {
  parseFlags(args, {});
  const secrets = await loadSecrets(config);
  const live = await liveDatabase(config, secrets);
  try {
    const backups = await listBackups(target);
    const range = await restorableRange(target, live);
    if (backups.length === 0) {
      say('no backups yet: npm run kassa -- backup');
      return 0;
    }
    const newest = range.latest === null ? 'the end of the archive' : iso(range.latest);
    say('repo  label                        type  ended                 database  stored');
    for (const b of backups)
      say(
        `${String(b.repo).padEnd(6)}${b.label.padEnd(29)}${b.type.padEnd(6)}${iso(b.stoppedAt).padEnd(22)}${megabytes(b.sizeBytes).padStart(8)}  ${megabytes(b.repoSizeBytes).padStart(8)}`,
      );
    say('');
    say(
      `restorable: any moment from ${range.earliest === null ? '?' : iso(range.earliest)} to ${newest}${live === null ? ' (the live database did not answer: its newest archived change is unknown)' : ''}`,
    );
    say('each backup restores to any moment from its end on, with the archived WAL after it');
    return 0;
  } finally {
    await live?.end();
  }
}

async function restore(
  args: readonly string[],
  config: Config,
  target: BackupTarget,
  say: (line: string) => void,
  progress: (line: string) => void,
): Promise<number> {
  const flags = parseFlags(args, {
    to: 'value',
    port: 'value',
    data: 'value',
    repo: 'value',
    'in-place': 'switch',
    yes: 'switch',
  });
  const to = parseRestoreTarget(value(flags, 'to'));
  const repo = repoFlag(flags, target);
  const secrets = await loadSecrets(config);
  const live = await liveDatabase(config, secrets);
  try {
    checkInRange(to, await restorableRange(target, live, repo));
    if (flags.has('in-place')) {
      if (!flags.has('yes'))
        throw new UsageError(
          "--in-place replaces the live cluster's data: add --yes to confirm (a restore beside it with --port is the safe first step)",
        );
      if (flags.has('port') || flags.has('data'))
        throw new UsageError('--in-place restores the live data folder: no --port or --data');
      const running =
        live !== null ||
        (target.liveDataDir !== null && existsSync(join(target.liveDataDir, 'postmaster.pid')));
      progress('restoring over the live data folder (delta: only what differs is rewritten)…');
      // The restarted cluster fetches WAL with the config npm start keeps, not this command's.
      const serverTarget = running
        ? target
        : ((await backupTarget(config, secrets, 'server')) ?? target);
      const done = await restoreInPlace(serverTarget, {
        to,
        ...(repo === undefined ? {} : { repo }),
        postgresRunning: running,
      });
      say(
        `restored in place in ${done.seconds.toFixed(1)} s to ${to.kind === 'latest' ? 'the end of the archive' : iso(to.at)}`,
      );
      say(
        config.databaseUrl === undefined
          ? 'start Kassa (npm start): PostgreSQL replays WAL to that moment first, then carries on archiving on a new timeline'
          : 'start PostgreSQL: it replays WAL to that moment first, then carries on on a new timeline',
      );
      return 0;
    }
    const port = portFlag(flags);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const dataDir = resolve(value(flags, 'data') ?? join(target.scratchDir, `restore-${stamp}`));
    const restored = await restoreBeside(target, {
      to,
      port,
      dataDir,
      ...(repo === undefined ? {} : { repo }),
      onProgress: (step) => progress(`${step}…`),
    });
    const database =
      config.databaseUrl === undefined ? 'kassa' : new URL(config.databaseUrl).pathname.slice(1);
    const password =
      config.databaseUrl === undefined ? `:${encodeURIComponent(secrets.postgresPassword)}` : '';
    say(
      `restored ${megabytes(restored.bytes)} to ${to.kind === 'latest' ? 'the end of the archive' : iso(to.at)} in ${(restored.restoreSeconds + restored.recoverySeconds).toFixed(1)} s (copy ${restored.restoreSeconds.toFixed(1)} s, WAL replay ${restored.recoverySeconds.toFixed(1)} s); the live cluster was not touched`,
    );
    say(`DATABASE_URL=postgres://postgres${password}@127.0.0.1:${port}/${database}`);
    if (config.databaseUrl !== undefined) say("(the live cluster's roles and passwords)");
    say(`it runs until: npm run kassa -- restore stop --data ${dataDir}`);
    return 0;
  } finally {
    await live?.end();
  }
}

async function restoreStop(
  args: readonly string[],
  target: BackupTarget,
  say: (line: string) => void,
): Promise<number> {
  const flags = parseFlags(args, { data: 'value' });
  const dataDir = value(flags, 'data');
  if (dataDir === undefined) throw new UsageError('--data names the restored cluster to stop');
  const dir = resolve(dataDir);
  if (target.liveDataDir !== null && dir === resolve(target.liveDataDir))
    throw new UsageError('that is the live cluster: stop Kassa itself (Ctrl-C on npm start)');
  if (!existsSync(join(dir, 'pg_hba.kassa-restore.conf')))
    throw new UsageError(`${dir} is not a cluster restored by kassa restore`);
  await stopCluster(target.pgBinDir, dir);
  say(`stopped ${dir} (delete the folder when you are done with it)`);
  return 0;
}

async function drill(
  config: Config,
  target: BackupTarget,
  say: (line: string) => void,
  progress: (line: string) => void,
): Promise<number> {
  return withSystem(config, async (system) => {
    const database =
      config.databaseUrl === undefined ? 'kassa' : new URL(config.databaseUrl).pathname.slice(1);
    progress('restore drill…');
    const waiting = () => progress('waiting for the backup in progress…');
    const report = await withBackupLock(system.db.pool, { wait: true, onWait: waiting }, () =>
      runDrill({
        db: system.db.pool,
        target,
        clock: system.clock,
        database,
        anchors: () =>
          config.journalAnchorFile === null ? [] : readAnchors(config.journalAnchorFile),
        plantCard: () => plantDrillCard(system),
        sleep: (ms) => sleep(ms),
        say: progress,
      }),
    );
    if (report === null) return 1;
    say(
      `${report.ok ? 'DRILL PASSED' : 'DRILL FAILED'}: restored to ${report.target || '?'}; RPO ${report.rpoSeconds ?? '?'} s of archive lag (+ up to 60 s being written); RTO ${report.rtoSeconds.toFixed(1)} s for ${report.restoredMegabytes.toFixed(1)} MB (${report.megabytesPerSecond.toFixed(1)} MB/s); ${report.checks.filter((c) => c.ok).length}/${report.checks.length} checks passed in ${report.seconds.toFixed(1)} s`,
    );
    for (const failed of report.checks.filter((c) => !c.ok))
      say(`  ✖ ${failed.name}: ${failed.detail}`);
    return report.ok ? 0 : 1;
  });
}

/**
 * `backup config`: the pgBackRest configuration and postgresql.conf lines for a DATABASE_URL
 * cluster (the embedded one of npm start configures itself).
 */
async function backupConfig(
  args: readonly string[],
  config: Config,
  secrets: Awaited<ReturnType<typeof loadSecrets>>,
  say: (line: string) => void,
): Promise<number> {
  const flags = parseFlags(args, {
    'pg-data': 'value',
    'pg-port': 'value',
    'pg-socket': 'value',
    postgresql: 'switch',
  });
  const url = config.databaseUrl === undefined ? null : new URL(config.databaseUrl);
  const configFile = config.backup.configFile ?? '/etc/pgbackrest/pgbackrest.conf';
  const port = Number(value(flags, 'pg-port') ?? (url?.port || undefined) ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new UsageError('--pg-port is not a port');
  if (flags.has('postgresql')) {
    say(`# postgresql.conf: archive WAL into the stanza (then restart PostgreSQL)`);
    for (const [name, setting] of Object.entries(archiveSettings(configFile, config.backup.stanza)))
      say(`${name} = '${setting}'`);
    return 0;
  }
  say(`# ${configFile}: 0600, owned by the postgres OS user (it holds the cipher keys).`);
  say('# Then: install -d -o postgres -m 700 /var/lib/pgbackrest/{log,spool,lock} <repo paths>;');
  say('# the postgresql.conf lines (npm run kassa -- backup config --postgresql), restart;');
  say(`# KASSA_BACKUP_CONFIG=${configFile} npm run kassa -- backup --type full; then dr drill.`);
  say(
    pgbackrestConf(
      {
        stanza: config.backup.stanza,
        repo1Path: config.backup.repo1Path,
        repo2Path: config.backup.repo2Path,
        workPath: '/var/lib/pgbackrest',
        pgDataDir: value(flags, 'pg-data') ?? '/var/lib/postgresql/15/main',
        pgPort: port,
        pgSocketDir: value(flags, 'pg-socket') ?? '/var/run/postgresql',
        retentionFull: config.backup.retentionFull,
      },
      {
        repo1CipherPass: secrets.backupCipherPass,
        repo2CipherPass: config.backup.repo2Path === null ? null : secrets.backupCipherPassRepo2,
      },
    ),
  );
  return 0;
}
