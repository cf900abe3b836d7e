export {
  configuredBackup,
  debianBinDir,
  embeddedBackup,
  type BackupTarget,
  type EmbeddedBackup,
} from './backup-setup.ts';
export { archiveNow, archiveStatus, type ArchiveStatus } from './archive-status.ts';
export { runSummary } from './backup-runs.ts';
export {
  listBackups,
  restorableRange,
  takeBackup,
  withBackupLock,
  type BackupResult,
  type BackupType,
} from './backups.ts';
export { createBackupSchedule, type BackupSchedule } from './backup-schedule.ts';
export { registerBackupMetrics } from './backup-metrics.ts';
export { runDrill, type DrillReport } from './drill.ts';
export {
  checkInRange,
  parseRestoreTarget,
  RestoreTargetError,
  type RestoreTarget,
} from './domain/restore-target.ts';
export { archiveSettings, pgbackrestConf } from './domain/pgbackrest-config.ts';
export { RestoreError, restoreBeside, restoreInPlace, type RestoredCluster } from './restore.ts';
export { pgbackrestInstalled } from './pgbackrest.ts';
