import type { BackupSettings } from '../../config/config.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import { alertOperator } from '../notifications/index.ts';
import { archiveStatus } from './archive-status.ts';
import type { BackupTarget } from './backup-setup.ts';
import { runSummary } from './backup-runs.ts';
import { takeBackup, withBackupLock, type BackupType } from './backups.ts';

/**
 * The worker's backup duty, run from its housekeeping pass: a full backup every
 * `fullEveryHours` and an incremental one every `incrEveryMinutes`, to every repository in turn
 * (repo2 after repo1, so a slow second region never delays the first), in the background so
 * the pass is never held up; and the archive watch, which tells the operator when WAL waits
 * longer than `archiveLagAlertSeconds` or archiving fails.
 */
export function createBackupSchedule(deps: {
  db: Db;
  target: BackupTarget;
  settings: BackupSettings;
  clock: Clock;
  logger: Logger;
}) {
  const { db, target, settings, clock, logger } = deps;
  let running: Promise<void> | null = null;

  function due(now: Date, last: Date | null, everyMs: number): boolean {
    return last === null || now.getTime() - last.getTime() >= everyMs;
  }

  async function backUp(type: BackupType): Promise<void> {
    await withBackupLock(db.pool, { wait: false }, async () => {
      for (const repo of target.repos) {
        const result = await takeBackup({ db: db.pool, target, clock }, { type, repo });
        logger.info(
          { label: result.label, type: result.type, repo, seconds: result.seconds },
          'backup taken',
        );
      }
    });
  }

  return {
    /** Starts a backup when one is due and none runs here; returns 1 when it started one. */
    async tick(now: Date): Promise<number> {
      await watchArchive(now);
      if (running !== null) return 0;
      const summary = await runSummary(db.pool);
      const type: BackupType | null = due(
        now,
        summary.lastFullAt,
        settings.fullEveryHours * 3_600_000,
      )
        ? 'full'
        : due(now, summary.lastBackupAt, settings.incrEveryMinutes * 60_000)
          ? 'incr'
          : null;
      if (type === null) return 0;
      running = backUp(type)
        .catch((error: unknown) => logger.error({ err: error }, 'scheduled backup failed'))
        .finally(() => {
          running = null;
        });
      return 1;
    },
    /** Waits for a backup this process started (shutdown, tests). */
    async settle(): Promise<void> {
      await running;
    },
  };

  async function watchArchive(now: Date): Promise<void> {
    const status = await archiveStatus(db.pool, now);
    if (!status.archiving) return;
    const lagging =
      status.lagSeconds !== null && status.lagSeconds > settings.archiveLagAlertSeconds;
    if (!lagging && !status.failing) return;
    // One alert per stuck segment: the last one archived names the incident.
    await alertOperator(db.pool, {
      incident: `${status.lastArchivedWal ?? 'none'}`,
      type: 'wal_archive_lagging',
      title: 'WAL archiving is behind',
      body: status.failing
        ? `WAL archiving is failing (last success ${status.lastArchivedAt?.toISOString() ?? 'never'}): changes since then are not in the backups. Check archive_command and the PostgreSQL log.`
        : `${status.waitingSegments} WAL segment(s) have waited ${status.lagSeconds ?? '?'} s to be archived: a lost disk now would lose that much. Check the backup repositories.`,
    });
  }
}

export type BackupSchedule = ReturnType<typeof createBackupSchedule>;
