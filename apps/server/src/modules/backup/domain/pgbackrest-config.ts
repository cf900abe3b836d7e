/**
 * pgBackRest's configuration for Kassa's cluster: the stanza, two encrypted repositories (repo1
 * beside the database, repo2 standing for another region or provider), asynchronous WAL
 * archiving (the archive command queues a segment and returns; a background process pushes it to
 * both repositories, so a slow second region never holds the database back) and retention.
 */
export interface BackupLayout {
  readonly stanza: string;
  readonly repo1Path: string;
  /** The second repository (another region); null: one repository. */
  readonly repo2Path: string | null;
  /** Where pgBackRest keeps its queue, locks and logs. */
  readonly workPath: string;
  /** The cluster's data folder, port and socket folder (pgBackRest connects through it). */
  readonly pgDataDir: string;
  readonly pgPort: number;
  readonly pgSocketDir: string;
  /** Full backups kept per repository (older ones, and the WAL only they need, expire). */
  readonly retentionFull: number;
}

export interface RepoKeys {
  readonly repo1CipherPass: string;
  readonly repo2CipherPass: string | null;
}

/** How often the server closes a WAL segment at the latest: the archive's recovery point goal. */
export const archiveTimeoutSeconds = 60;

export function pgbackrestConf(layout: BackupLayout, keys: RepoKeys): string {
  const repo = (n: number, path: string, pass: string) => [
    `repo${n}-path=${path}`,
    `repo${n}-cipher-type=aes-256-cbc`,
    `repo${n}-cipher-pass=${pass}`,
    `repo${n}-retention-full=${layout.retentionFull}`,
  ];
  const lines = [
    '# Written by Kassa (kassa backup config). The cipher keys make this file a secret: 0600.',
    '[global]',
    ...repo(1, layout.repo1Path, keys.repo1CipherPass),
    ...(layout.repo2Path === null || keys.repo2CipherPass === null
      ? []
      : repo(2, layout.repo2Path, keys.repo2CipherPass)),
    'archive-async=y',
    `spool-path=${layout.workPath}/spool`,
    `lock-path=${layout.workPath}/lock`,
    `log-path=${layout.workPath}/log`,
    'log-level-console=warn',
    'log-level-file=info',
    'start-fast=y',
    'compress-type=zst',
    'compress-level=1',
    'process-max=2',
    '',
    `[${layout.stanza}]`,
    `pg1-path=${layout.pgDataDir}`,
    `pg1-port=${layout.pgPort}`,
    `pg1-socket-path=${layout.pgSocketDir}`,
    'pg1-user=postgres',
    '',
  ];
  return lines.join('\n');
}

/** The server settings that archive WAL into the stanza (postgresql.conf lines). */
export function archiveSettings(configFile: string, stanza: string): Record<string, string> {
  return {
    archive_mode: 'on',
    archive_command: `pgbackrest --config=${configFile} --stanza=${stanza} archive-push %p`,
    archive_timeout: String(archiveTimeoutSeconds),
    wal_level: 'replica',
  };
}
