import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

export type RunKind = 'backup' | 'drill';

/** Records that a backup or drill started; `finishRun` records how it ended. */
export async function startRun(
  q: Queryable,
  run: { kind: RunKind; detail: string; repo: number | null },
  now: Date,
): Promise<string> {
  const id = newUuid(now.getTime());
  await q.query(
    'insert into backup_runs (id, kind, detail, repo, started_at) values ($1, $2, $3, $4, $5)',
    [id, run.kind, run.detail, run.repo, now.toISOString()],
  );
  return id;
}

export async function finishRun(
  q: Queryable,
  id: string,
  outcome: { ok: boolean; report: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await q.query('update backup_runs set finished_at = $2, ok = $3, report = $4 where id = $1', [
    id,
    now.toISOString(),
    outcome.ok,
    JSON.stringify(outcome.report),
  ]);
}

export interface RunSummary {
  /** The newest successful backup's end, per type (any repository). */
  readonly lastBackupAt: Date | null;
  readonly lastFullAt: Date | null;
  /** The newest drill: its end and whether it passed (null: none yet). */
  readonly lastDrill: { readonly at: Date; readonly ok: boolean } | null;
}

export async function runSummary(q: Queryable): Promise<RunSummary> {
  const rows = await q.query<{
    last_backup: Date | null;
    last_full: Date | null;
    drill_at: Date | null;
    drill_ok: boolean | null;
  }>(
    `select (select max(finished_at) from backup_runs where kind = 'backup' and ok) as last_backup,
            (select max(finished_at) from backup_runs
              where kind = 'backup' and ok and detail = 'full') as last_full,
            d.finished_at as drill_at, d.ok as drill_ok
       from (select 1) one
       left join lateral (select finished_at, ok from backup_runs
                           where kind = 'drill' and ok is not null
                           order by finished_at desc limit 1) d on true`,
  );
  const row = rows.rows[0];
  return {
    lastBackupAt: row?.last_backup ?? null,
    lastFullAt: row?.last_full ?? null,
    lastDrill:
      row?.drill_at === null || row?.drill_at === undefined
        ? null
        : { at: row.drill_at, ok: row.drill_ok === true },
  };
}
