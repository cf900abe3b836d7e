import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupSettings } from '../../config/config.ts';
import { embeddedBinDir } from '../../platform/embedded-postgres.ts';
import { ownedFolder, ownedSecretFile, socketFolder } from '../../platform/pg-cluster.ts';
import { archiveSettings, pgbackrestConf, type BackupLayout } from './domain/pgbackrest-config.ts';
import { createPgBackRest, pgbackrestInstalled, type PgBackRest } from './pgbackrest.ts';

/** Everything the backup commands need about one cluster's backups. */
export interface BackupTarget {
  readonly pgbackrest: PgBackRest;
  /** The repositories: 1 (beside the database) and, when set, 2 (another region). */
  readonly repos: readonly number[];
  readonly repoPaths: Readonly<Record<number, string>>;
  /** PostgreSQL's server binaries (`pg_ctl`, `postgres`) for restored clusters. */
  readonly pgBinDir: string;
  /** Where restores and drills put their clusters unless told otherwise. */
  readonly scratchDir: string;
  /** The live cluster's data folder, when it is on this machine. */
  readonly liveDataDir: string | null;
}

/** The embedded cluster's backups, and the settings it must start with to archive. */
export interface EmbeddedBackup {
  readonly target: BackupTarget;
  readonly serverSettings: Readonly<Record<string, string>>;
  readonly socketDir: string;
}

/** Debian's PostgreSQL 15 server binaries (the `postgresql-15` package). */
export const debianBinDir = '/usr/lib/postgresql/15/bin';

/**
 * The embedded cluster's backups (`npm start`, the CLI on the same data folder): pgBackRest's
 * config under `<data folder>/backup` (0600: it holds the repositories' cipher keys), the
 * repositories, and the server settings that archive WAL. Null when backups are off or
 * pgBackRest is not installed (`bash scripts/ensure-pgbackrest.sh`).
 */
export async function embeddedBackup(options: {
  settings: BackupSettings;
  dataDir: string;
  port: number;
  postgresPassword: string;
  cipherPass: string;
  cipherPassRepo2: string;
  /**
   * `server`: the process that starts the cluster writes the config its archive_command reads.
   * `command`: a command beside a running cluster writes its own copy (removed when it exits),
   * so one run with, say, a wrong cipher key can never break the server's archiving.
   */
  role: 'server' | 'command';
}): Promise<EmbeddedBackup | null> {
  const { settings } = options;
  if (!settings.enabled || !pgbackrestInstalled()) return null;
  const backupDir = join(options.dataDir, 'backup');
  const socketDir = socketFolder(options.dataDir, options.port);
  const layout: BackupLayout = {
    stanza: settings.stanza,
    repo1Path: settings.repo1Path,
    repo2Path: settings.repo2Path,
    workPath: join(backupDir, 'work'),
    pgDataDir: join(options.dataDir, 'pg'),
    pgPort: options.port,
    pgSocketDir: socketDir,
    retentionFull: settings.retentionFull,
  };
  await mkdir(options.dataDir, { recursive: true });
  const work = layout.workPath;
  for (const folder of [
    backupDir,
    work,
    join(work, 'log'),
    join(work, 'spool'),
    join(work, 'lock'),
    layout.repo1Path,
    layout.repo2Path,
    socketDir,
  ])
    if (folder !== null) await ownedFolder(folder);
  const configFile = join(
    backupDir,
    options.role === 'server' ? 'pgbackrest.conf' : `pgbackrest-command-${process.pid}.conf`,
  );
  if (options.role === 'command') process.once('exit', () => rmSync(configFile, { force: true }));
  await ownedSecretFile(
    configFile,
    pgbackrestConf(layout, {
      repo1CipherPass: options.cipherPass,
      repo2CipherPass: options.cipherPassRepo2,
    }),
  );
  return {
    target: {
      pgbackrest: createPgBackRest({
        configFile,
        stanza: settings.stanza,
        pgPassword: options.postgresPassword,
      }),
      repos: layout.repo2Path === null ? [1] : [1, 2],
      repoPaths:
        layout.repo2Path === null
          ? { 1: layout.repo1Path }
          : { 1: layout.repo1Path, 2: layout.repo2Path },
      pgBinDir: settings.pgBinDir ?? (await embeddedBinDir()),
      scratchDir: join(options.dataDir, 'restores'),
      liveDataDir: layout.pgDataDir,
    },
    serverSettings: archiveSettings(configFile, settings.stanza),
    socketDir,
  };
}

/**
 * The backups of a `DATABASE_URL` cluster on this machine, from its pgBackRest config
 * (`KASSA_BACKUP_CONFIG`, written with the help of `kassa backup config`). Null when not set.
 */
export async function configuredBackup(
  settings: BackupSettings,
  dataDir: string,
): Promise<BackupTarget | null> {
  if (!settings.enabled || settings.configFile === undefined) return null;
  if (!existsSync(settings.configFile))
    throw new Error(
      `KASSA_BACKUP_CONFIG names ${settings.configFile}, which does not exist: write it with \`npm run kassa -- backup config\``,
    );
  const text = await readFile(settings.configFile, 'utf8');
  const repoPaths: Record<number, string> = {};
  for (const match of text.matchAll(/^repo([12])-path=(.+)$/gm))
    repoPaths[Number(match[1])] = (match[2] ?? '').trim();
  const pgData = /^pg1-path=(.+)$/m.exec(text)?.[1]?.trim() ?? null;
  return {
    pgbackrest: createPgBackRest({
      configFile: settings.configFile,
      stanza: settings.stanza,
      pgPassword: null,
    }),
    repos: Object.keys(repoPaths).map(Number).sort(),
    repoPaths,
    pgBinDir: settings.pgBinDir ?? debianBinDir,
    scratchDir: join(dataDir, 'restores'),
    liveDataDir: pgData,
  };
}
