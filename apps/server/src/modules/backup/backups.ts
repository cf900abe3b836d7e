import type pg from 'pg';
import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
import { alertOperator } from '../notifications/index.ts';
import type { BackupTarget } from './backup-setup.ts';
import { finishRun, startRun } from './backup-runs.ts';
import type { RestorableRange } from './domain/restore-target.ts';
import type { BackupSet } from './pgbackrest.ts';

export type BackupType = 'full' | 'diff' | 'incr';

export interface BackupResult {
  readonly label: string;
  /** What pgBackRest took: an `incr` with no full before it becomes a `full`. */
  readonly type: BackupType;
  readonly repo: number;
  readonly seconds: number;
  readonly sizeBytes: number;
  readonly repoSizeBytes: number;
  readonly stoppedAt: Date;
}

/** What to do about a pgBackRest failure, from its message; `where` names the repository. */
function adviceFor(text: string, where: string): string {
  if (/missing stanza path|missing stanza data|stanza .*does not exist|no backup/i.test(text))
    return `no backups in ${where} yet: run \`npm run kassa -- backup\` first`;
  if (/key\/value found outside of section|bad decrypt|unable to decrypt/i.test(text))
    return `${where} cannot be read with the configured cipher key (KASSA_BACKUP_CIPHER_PASS, or the data folder's secrets.json): restore the key that wrote it`;
  if (
    /cipher header invalid|checksum|corrupt|invalid|unable to read|is not valid|unexpected eof/i.test(
      text,
    )
  )
    return `${where} is damaged: restore from the other repository (--repo), then take a new full backup (\`npm run kassa -- backup --type full\`)`;
  if (/permission denied/i.test(text))
    return `pgBackRest may not write ${where} (permission denied): it runs as the postgres OS user`;
  if (/archive_command|archive-push|not archived|archive_mode|archive timeout/i.test(text))
    return 'WAL archiving is not working: check archive_command (`npm run kassa -- backup config`) and the PostgreSQL log';
  if (/unable to connect|could not connect|connection to server/i.test(text))
    return 'pgBackRest cannot reach PostgreSQL through its socket: is the database running?';
  return 'pgBackRest failed';
}

/** pgBackRest's own words, printable and short (a wrong key fills them with binary junk). */
function detailOf(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /error|warn/i.test(l)) ??
    text.split('\n')[0] ??
    '';
  const printable = line.replace(/[^\x20-\x7e]/g, '').trim();
  return printable.length > 160 ? `${printable.slice(0, 160)}…` : printable;
}

/**
 * pgBackRest's failures, in one line naming what to do, with its own words after it (they
 * never hold a secret: keys live in the config file).
 */
export function explainPgBackRestError(error: unknown, target: BackupTarget, repo?: number): Error {
  const text = error instanceof Error ? error.message : String(error);
  const where =
    repo !== undefined && target.repoPaths[repo] !== undefined
      ? `repo${repo} (${target.repoPaths[repo]})`
      : `the backup repository (${Object.values(target.repoPaths).join(' and ')})`;
  return new Error(`${adviceFor(text, where)} (pgBackRest: ${detailOf(text)})`);
}

/** Only one backup (or drill) runs at a time in the deployment: pgBackRest allows no more. */
const backupLockKey = '7737007417035924331'; // "kassback"

/**
 * Runs `work` holding the deployment's backup lock (a session advisory lock on its own
 * connection). `wait: false` (the schedule) skips the work and returns null when another
 * process holds it; `wait: true` (commands, the drill) waits its turn.
 */
export async function withBackupLock<T>(
  pool: Pick<pg.Pool, 'connect'>,
  options: { wait: boolean; onWait?: () => void },
  work: () => Promise<T>,
): Promise<T | null> {
  const lock = await pool.connect();
  try {
    const got = await lock.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [
      backupLockKey,
    ]);
    if (got.rows[0]?.ok !== true) {
      if (!options.wait) return null;
      options.onWait?.();
      await lock.query('select pg_advisory_lock($1::bigint)', [backupLockKey]);
    }
    try {
      return await work();
    } finally {
      await lock.query('select pg_advisory_unlock($1::bigint)', [backupLockKey]);
    }
  } finally {
    lock.release();
  }
}

/** pgBackRest's info status: 1 missing stanza path, 3 missing stanza data. */
function stanzaMissing(code: number): boolean {
  return code === 1 || code === 3;
}

/**
 * Takes one backup into one repository and records it (`backup_runs`); a failure is recorded,
 * put in the operator's feed, and thrown as a one-line explanation.
 */
export async function takeBackup(
  deps: { db: Queryable; target: BackupTarget; clock: Clock },
  options: { type: BackupType; repo: number },
): Promise<BackupResult> {
  const { db, target, clock } = deps;
  const started = performance.now();
  const runId = await startRun(
    db,
    { kind: 'backup', detail: options.type, repo: options.repo },
    clock.now(),
  );
  try {
    // A new repository needs its stanza first. Only then: stanza-create takes the archive lock,
    // and WAL archiving that meets it records an error the backup's own archive check reads.
    const before = await target.pgbackrest.info(options.repo);
    const state = before.repos.find((r) => r.repo === options.repo);
    if (state === undefined || stanzaMissing(state.code))
      await target.pgbackrest.command(['stanza-create'], { timeoutMs: 120_000 });
    await target.pgbackrest.command(
      ['backup', `--type=${options.type}`, `--repo=${options.repo}`],
      {
        background: true,
      },
    );
    const info = await target.pgbackrest.info(options.repo);
    const newest = info.backups.filter((b) => b.repo === options.repo).at(-1);
    if (newest === undefined) throw new Error('pgBackRest reported no backup after taking one');
    const result: BackupResult = {
      label: newest.label,
      type: newest.type,
      repo: options.repo,
      seconds: (performance.now() - started) / 1000,
      sizeBytes: newest.sizeBytes,
      repoSizeBytes: newest.repoSizeBytes,
      stoppedAt: newest.stoppedAt,
    };
    await db.query('update backup_runs set detail = $2 where id = $1', [runId, newest.type]);
    await finishRun(db, runId, { ok: true, report: { ...result } }, clock.now());
    return result;
  } catch (error) {
    const explained = explainPgBackRestError(error, target, options.repo);
    await finishRun(db, runId, { ok: false, report: { error: explained.message } }, clock.now());
    await alertOperator(db, {
      incident: runId,
      type: 'backup_failed',
      title: 'Backup failed',
      body: `The ${options.type} backup to repository ${options.repo} failed: ${explained.message}`,
    }).catch(() => undefined);
    throw explained;
  }
}

/**
 * Every backup of every repository (or of `repo`), oldest first. A repository pgBackRest cannot
 * read (wrong key, damaged, missing) is an error naming it, even when the other one is fine:
 * the operator must know before the day they need it.
 */
export async function listBackups(
  target: BackupTarget,
  repo?: number,
): Promise<readonly BackupSet[]> {
  let info;
  try {
    info = await target.pgbackrest.info(repo);
  } catch (error) {
    throw explainPgBackRestError(error, target, repo);
  }
  // 0: fine; 2: no valid backup yet (an empty list says so).
  const broken = info.repos.find((r) => r.code !== 0 && r.code !== 2);
  if (broken !== undefined)
    throw explainPgBackRestError(new Error(broken.message), target, broken.repo);
  return [...info.backups].sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
}

/**
 * What the backups can restore to, optionally from one repository: from the oldest backup's
 * end to the newest archived change (asked of the live database; null when it cannot answer).
 */
export async function restorableRange(
  target: BackupTarget,
  live: Queryable | null,
  repo?: number,
): Promise<RestorableRange> {
  const backups = await listBackups(target, repo);
  let latest: Date | null = null;
  if (live !== null) {
    const rows = await live
      .query<{ at: Date | null }>('select last_archived_time as at from pg_stat_archiver')
      .catch(() => null);
    latest = rows?.rows[0]?.at ?? null;
  }
  const newestBackup = backups.at(-1)?.stoppedAt ?? null;
  if (latest !== null && newestBackup !== null && newestBackup > latest) latest = newestBackup;
  return { earliest: backups[0]?.stoppedAt ?? null, latest };
}
