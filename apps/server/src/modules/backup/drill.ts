import { rm } from 'node:fs/promises';
import pg from 'pg';
import { join } from 'node:path';
import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { freePort, socketFolder } from '../../platform/pg-cluster.ts';
import type { JournalAnchor } from '../journal/index.ts';
import { alertOperator } from '../notifications/index.ts';
import { archiveNow, archiveStatus } from './archive-status.ts';
import type { BackupTarget } from './backup-setup.ts';
import { finishRun, startRun } from './backup-runs.ts';
import { explainPgBackRestError, takeBackup, type BackupResult } from './backups.ts';
import { archiveTimeoutSeconds } from './domain/pgbackrest-config.ts';
import {
  checkRestoredDatabase,
  filesHolding,
  tablesHolding,
  type RestoreCheck,
} from './restore-checks.ts';
import { restoreBeside, type RestoredCluster } from './restore.ts';

export interface DrillDeps {
  readonly db: Queryable;
  readonly target: BackupTarget;
  readonly clock: Clock;
  /** The live database's name (the restored copy has the same). */
  readonly database: string;
  readonly anchors: () => readonly JournalAnchor[];
  /**
   * Stores a fresh card number through the vault, as a customer would, and returns it: the
   * drill then proves it is in no repository file and no restored table or file.
   */
  readonly plantCard: () => Promise<string>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly say: (line: string) => void;
}

export interface DrillReport {
  readonly ok: boolean;
  readonly target: string;
  readonly checks: readonly RestoreCheck[];
  /** Archive lag when the drill started: what a lost disk would have cost then. */
  readonly rpoSeconds: number | null;
  /** Restore (copy) + recovery (WAL replay) of the restore from repo1. */
  readonly rtoSeconds: number;
  readonly restoredMegabytes: number;
  readonly megabytesPerSecond: number;
  readonly backups: readonly BackupResult[];
  readonly seconds: number;
}

/**
 * The disaster-recovery drill: backs up, writes a marker, notes the moment T, writes another
 * marker, backs up again, verifies the repositories, restores to T from repo1 and (when set)
 * from repo2 alone into scratch clusters, and proves each copy right (`checkRestoredDatabase`,
 * the markers: the first there, the second not) and free of the planted card number, as are
 * the repositories. Recorded in `backup_runs` (`kassa_dr_drill_last_result`); a failure goes
 * to the operator's feed.
 */
export async function runDrill(deps: DrillDeps): Promise<DrillReport> {
  const { db, target, clock, say } = deps;
  const started = performance.now();
  const checks: RestoreCheck[] = [];
  const backups: BackupResult[] = [];
  const drillId = newUuid();
  const runId = await startRun(db, { kind: 'drill', detail: 'pending', repo: null }, clock.now());
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    say(`  ${ok ? '✔' : '✖'} ${name}: ${detail}`);
  };
  let targetTime = '';
  let rto = 0;
  let megabytes = 0;
  let rpo: number | null = null;
  try {
    rpo = (await archiveStatus(db, clock.now())).lagSeconds;
    say(`archive lag now ${rpo ?? '?'} s (plus at most ${archiveTimeoutSeconds} s being written)`);
    const pan = await deps.plantCard();
    say('planted a card number through the vault');
    for (const repo of target.repos) {
      say(`backing up to repo${repo}…`);
      backups.push(await takeBackup({ db, target, clock }, { type: 'incr', repo }));
    }
    await db.query("insert into dr_markers (id, drill_id, label) values ($1, $2, 'before')", [
      newUuid(),
      drillId,
    ]);
    const moment = await db.query<{ at: Date }>('select clock_timestamp() as at');
    // PostgreSQL's clock has microseconds, a Date milliseconds: the next millisecond is the first
    // one at or after every commit so far (the truncated one can precede the marker's commit).
    const at = new Date((moment.rows[0]?.at ?? clock.now()).getTime() + 1);
    targetTime = at.toISOString();
    // The second marker must commit after T, at millisecond resolution.
    await deps.sleep(5);
    await db.query("insert into dr_markers (id, drill_id, label) values ($1, $2, 'after')", [
      newUuid(),
      drillId,
    ]);
    say('backing up to repo1 again…');
    backups.push(await takeBackup({ db, target, clock }, { type: 'incr', repo: 1 }));
    await archiveNow(db, { sleep: deps.sleep });
    for (const repo of target.repos) {
      try {
        await target.pgbackrest.command(['verify', `--repo=${repo}`]);
        check(`repo${repo} verify`, true, 'every backup and archived WAL file reads back intact');
      } catch (error) {
        check(`repo${repo} verify`, false, explainPgBackRestError(error, target, repo).message);
      }
    }
    for (const repo of target.repos) {
      const port = await freePort();
      const dataDir = join(target.scratchDir, `drill-${drillId}-repo${repo}`);
      say(`restoring repo${repo} alone to ${targetTime} on port ${port}…`);
      let restored: RestoredCluster | null = null;
      try {
        restored = await restoreBeside(target, {
          to: { kind: 'time', at },
          port,
          dataDir,
          repo,
        });
        if (repo === target.repos[0]) {
          rto = restored.restoreSeconds + restored.recoverySeconds;
          megabytes = restored.bytes / 1_048_576;
        }
        check(
          `repo${repo} restore`,
          true,
          `${(restored.bytes / 1_048_576).toFixed(1)} MB in ${restored.restoreSeconds.toFixed(1)} s + ${restored.recoverySeconds.toFixed(1)} s of WAL replay`,
        );
        const url = restored.socketUrl(deps.database);
        for (const c of await checkRestoredDatabase(url, deps.anchors()))
          check(`repo${repo} ${c.name}`, c.ok, c.detail);
        const markers = await markersIn(url, drillId);
        check(
          `repo${repo} to the second`,
          markers.before && !markers.after,
          `the change before T is ${markers.before ? 'there' : 'MISSING'}, the one after T ${markers.after ? 'IS THERE' : 'is not'}`,
        );
        const tables = await tablesHolding(url, pan);
        const files = await filesHolding(dataDir, pan);
        check(
          `repo${repo} no card number`,
          tables.length === 0 && files.length === 0,
          tables.length + files.length === 0
            ? 'the planted number is in no restored table or file'
            : `the planted number is in ${[...tables, ...files].join(', ')}`,
        );
      } catch (error) {
        check(`repo${repo} restore`, false, (error as Error).message);
      } finally {
        await restored?.stop().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
        await rm(socketFolder(dataDir, port, true), { recursive: true, force: true });
      }
    }
    for (const repo of target.repos) {
      const path = target.repoPaths[repo];
      if (path === undefined) continue;
      const files = await filesHolding(path, pan);
      check(
        `repo${repo} encrypted`,
        files.length === 0,
        files.length === 0
          ? 'the planted number is in no repository file'
          : `found in ${files.join(', ')}`,
      );
    }
  } catch (error) {
    check('drill', false, (error as Error).message);
  }
  const seconds = (performance.now() - started) / 1000;
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  const report: DrillReport = {
    ok,
    target: targetTime,
    checks,
    rpoSeconds: rpo,
    rtoSeconds: rto,
    restoredMegabytes: megabytes,
    megabytesPerSecond: rto > 0 ? megabytes / rto : 0,
    backups,
    seconds,
  };
  await db.query('update backup_runs set detail = $2 where id = $1', [runId, targetTime || 'none']);
  await finishRun(db, runId, { ok, report: { ...report } }, clock.now());
  if (!ok)
    await alertOperator(db, {
      incident: runId,
      type: 'dr_drill_failed',
      title: 'Restore drill failed',
      body: `The restore drill failed: ${checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')}`,
    }).catch(() => undefined);
  return report;
}

async function markersIn(
  url: string,
  drillId: string,
): Promise<{ before: boolean; after: boolean }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ label: string }>(
      'select label from dr_markers where drill_id = $1',
      [drillId],
    );
    const labels = new Set(rows.rows.map((r) => r.label));
    return { before: labels.has('before'), after: labels.has('after') };
  } finally {
    await client.end();
  }
}
