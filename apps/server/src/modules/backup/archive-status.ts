import type { Queryable } from '../../platform/db.ts';

export interface ArchiveStatus {
  /** `archive_mode` is on. */
  readonly archiving: boolean;
  readonly lastArchivedWal: string | null;
  readonly lastArchivedAt: Date | null;
  /** The last attempt failed (and nothing was archived since). */
  readonly failing: boolean;
  readonly lastFailedAt: Date | null;
  /** Complete WAL segments waiting to be archived. */
  readonly waitingSegments: number;
  /**
   * Seconds the oldest waiting segment has waited (0 when none waits): what a lost disk would
   * cost now, plus at most `archive_timeout` of the segment being written. Null: this role may
   * not read the archive status folder (grant it `pg_monitor`).
   */
  readonly lagSeconds: number | null;
}

/** WAL archiving as the server sees it (`pg_stat_archiver` and `archive_status/*.ready`). */
export async function archiveStatus(q: Queryable, now: Date): Promise<ArchiveStatus> {
  const stats = await q.query<{
    mode: string;
    last_archived_wal: string | null;
    last_archived_time: Date | null;
    last_failed_time: Date | null;
  }>(
    `select current_setting('archive_mode') as mode, last_archived_wal, last_archived_time,
            last_failed_time
       from pg_stat_archiver`,
  );
  const row = stats.rows[0];
  const archiving = row !== undefined && row.mode !== 'off';
  let waitingSegments = 0;
  let lagSeconds: number | null = 0;
  if (archiving) {
    try {
      const waiting = await q.query<{ n: number; oldest: Date | null }>(
        `select count(*)::int as n, min(modification) as oldest
           from pg_ls_archive_statusdir() where name like '%.ready'`,
      );
      waitingSegments = waiting.rows[0]?.n ?? 0;
      const oldest = waiting.rows[0]?.oldest ?? null;
      lagSeconds =
        oldest === null ? 0 : Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000));
    } catch {
      lagSeconds = null;
    }
  }
  const lastArchivedAt = row?.last_archived_time ?? null;
  const lastFailedAt = row?.last_failed_time ?? null;
  return {
    archiving,
    lastArchivedWal: row?.last_archived_wal ?? null,
    lastArchivedAt,
    failing:
      lastFailedAt !== null &&
      (lastArchivedAt === null || lastFailedAt.getTime() > lastArchivedAt.getTime()),
    lastFailedAt,
    waitingSegments,
    lagSeconds,
  };
}

/**
 * Closes the WAL segment being written and waits until the server has archived it: everything
 * committed before the call is then in the archive. Returns the segment's name.
 */
export async function archiveNow(
  q: Queryable,
  options: { timeoutMs?: number; sleep: (ms: number) => Promise<void> },
): Promise<string> {
  const switched = await q.query<{ wal: string }>('select pg_walfile_name(pg_switch_wal()) as wal');
  const wal = switched.rows[0]?.wal ?? '';
  const deadline = performance.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const done = await q.query<{ archived: boolean; failing: boolean }>(
      `select coalesce(substr(last_archived_wal, 9) >= substr($1, 9), false) as archived,
              coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false) and last_failed_wal >= $1 as failing
         from pg_stat_archiver`,
      [wal],
    );
    if (done.rows[0]?.archived === true) return wal;
    if (performance.now() > deadline)
      throw new Error(
        `WAL segment ${wal} was not archived within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s${done.rows[0]?.failing === true ? ' (archive_command is failing: see the PostgreSQL log)' : ''}`,
      );
    await options.sleep(100);
  }
}
