import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
import { archiveStatus } from './archive-status.ts';
import { runSummary } from './backup-runs.ts';

/**
 * Backup health on /metrics, read from the database at scrape time so every API node reports
 * the same: the newest successful backup, WAL waiting to be archived, the last drill's result.
 * Backup trouble never makes a node unready (`/readyz`): it is told here and in the
 * operator's feed.
 */
export function registerBackupMetrics(registry: Registry, db: Queryable, clock: Clock): void {
  new Gauge({
    name: 'kassa_backup_last_success_timestamp_seconds',
    help: 'When the newest successful backup ended (Unix seconds); absent before the first.',
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await runSummary(db);
      if (summary.lastBackupAt !== null) this.set(summary.lastBackupAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'kassa_wal_archive_lag_seconds',
    help: 'How long the oldest complete WAL segment has waited to be archived (0: none waits); absent when archiving is off.',
    registers: [registry],
    async collect() {
      this.reset();
      const status = await archiveStatus(db, clock.now());
      if (status.archiving && status.lagSeconds !== null) this.set(status.lagSeconds);
    },
  });
  new Gauge({
    name: 'kassa_dr_drill_last_result',
    help: 'The newest restore drill: 1 passed, 0 failed; absent before the first.',
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await runSummary(db);
      if (summary.lastDrill !== null) this.set(summary.lastDrill.ok ? 1 : 0);
    },
  });
}
