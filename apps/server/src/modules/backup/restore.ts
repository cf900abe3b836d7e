import { existsSync, readdirSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ownedFolder,
  ownedSecretFile,
  socketFolder,
  portFree,
  startCluster,
  stopCluster,
  waitForPrimary,
} from '../../platform/pg-cluster.ts';
import type { BackupTarget } from './backup-setup.ts';
import { explainPgBackRestError } from './backups.ts';
import type { RestoreTarget } from './domain/restore-target.ts';

export interface RestoredCluster {
  readonly dataDir: string;
  readonly port: number;
  readonly socketDir: string;
  /** A superuser connection through the socket (trusted: the socket folder is private). */
  readonly socketUrl: (database: string) => string;
  /** Seconds pgBackRest took to copy the files, and PostgreSQL to replay WAL to the target. */
  readonly restoreSeconds: number;
  readonly recoverySeconds: number;
  /** The restored files' size. */
  readonly bytes: number;
  stop(): Promise<void>;
}

export class RestoreError extends Error {}

/**
 * Restores into a NEW cluster beside the live one and starts it on `port`: the live cluster is
 * never touched. The copy does not archive (it must not write into the live cluster's
 * repositories); its socket takes the superuser without a password (the folder is private),
 * TCP on 127.0.0.1 keeps the live cluster's roles and passwords.
 */
export async function restoreBeside(
  target: BackupTarget,
  options: {
    to: RestoreTarget;
    port: number;
    dataDir: string;
    /** Restore from this repository only (the drill proves repo2 alone is enough). */
    repo?: number;
    onProgress?: (step: string) => void;
  },
): Promise<RestoredCluster> {
  const { dataDir, port } = options;
  if (!(await portFree(port)))
    throw new RestoreError(`port ${port} is in use: pick a free one with --port`);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new RestoreError(`${dataDir} is not empty: restore into a new folder (--data)`);
  if (target.liveDataDir !== null && dataDir === target.liveDataDir)
    throw new RestoreError('refusing to restore over the live cluster (see --in-place)');
  await ownedFolder(dataDir);
  const socketDir = socketFolder(dataDir, port, true);
  options.onProgress?.('copying files from the repository');
  const copyStarted = performance.now();
  try {
    await target.pgbackrest.command([
      'restore',
      `--pg1-path=${dataDir}`,
      '--archive-mode=off',
      // The copy fetches WAL one segment at a time, without the asynchronous archiver's lock:
      // the live cluster's archiving holds that lock, and sharing it made the live
      // archive_command fail while a copy replayed.
      `--recovery-option=restore_command=${[
        'pgbackrest',
        `--config=${target.pgbackrest.configFile}`,
        `--stanza=${target.pgbackrest.stanza}`,
        `--pg1-path=${dataDir}`,
        '--no-archive-async',
        ...(options.repo === undefined ? [] : [`--repo=${options.repo}`]),
        'archive-get %f "%p"',
      ].join(' ')}`,
      ...restoreTypeArgs(options.to),
      ...(options.repo === undefined ? [] : [`--repo=${options.repo}`]),
    ]);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw explainPgBackRestError(error, target, options.repo);
  }
  const restoreSeconds = (performance.now() - copyStarted) / 1000;
  // What the backup held, before WAL replay adds its segments.
  const bytes = await folderBytes(dataDir);
  const hbaFile = join(dataDir, 'pg_hba.kassa-restore.conf');
  await ownedSecretFile(
    hbaFile,
    [
      '# Written by kassa restore: the private socket trusts the superuser; TCP needs a password.',
      'local all all trust',
      'host all all 127.0.0.1/32 scram-sha-256',
      '',
    ].join('\n'),
  );
  options.onProgress?.('replaying WAL to the target');
  const replayStarted = performance.now();
  const logFile = join(dataDir, 'kassa-restore.log');
  try {
    await startCluster({
      binDir: target.pgBinDir,
      dataDir,
      port,
      socketDir,
      logFile,
      settings: { archive_mode: 'off', hba_file: hbaFile },
    });
    await waitForPrimary(socketUrl(socketDir, port, 'postgres'));
  } catch (error) {
    await stopCluster(target.pgBinDir, dataDir).catch(() => undefined);
    throw new RestoreError(
      `the restored cluster did not start: ${(error as Error).message.split('\n')[0]} (its log: ${logFile})`,
    );
  }
  const recoverySeconds = (performance.now() - replayStarted) / 1000;
  return {
    dataDir,
    port,
    socketDir,
    socketUrl: (database) => socketUrl(socketDir, port, database),
    restoreSeconds,
    recoverySeconds,
    bytes,
    stop: () => stopCluster(target.pgBinDir, dataDir),
  };
}

function restoreTypeArgs(to: RestoreTarget): string[] {
  return to.kind === 'latest'
    ? ['--type=default']
    : ['--type=time', `--target=${postgresTime(to.at)}`, '--target-action=promote'];
}

/** `2026-12-01 14:02:59.250+00`: the form recovery_target_time reads. */
function postgresTime(at: Date): string {
  return `${at.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}

export function socketUrl(socketDir: string, port: number, database: string): string {
  return `postgres://postgres@/${database}?host=${encodeURIComponent(socketDir)}&port=${port}`;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * Restores the live cluster's own data folder in place (a lost or damaged primary): only with
 * Kassa and PostgreSQL stopped. pgBackRest's delta restore rewrites only what differs. The next
 * `npm start` replays WAL to the target and carries on archiving on a new timeline.
 */
export async function restoreInPlace(
  target: BackupTarget,
  options: { to: RestoreTarget; repo?: number; postgresRunning: boolean },
): Promise<{ seconds: number }> {
  if (target.liveDataDir === null)
    throw new RestoreError('the live cluster is not on this machine: restore on its host');
  if (options.postgresRunning)
    throw new RestoreError(
      'Kassa (or its PostgreSQL) is running on this data folder: stop it first (Ctrl-C on npm start)',
    );
  const started = performance.now();
  await ownedFolder(target.liveDataDir);
  try {
    await target.pgbackrest.command([
      'restore',
      '--delta',
      '--force',
      ...restoreTypeArgs(options.to),
      ...(options.repo === undefined ? [] : [`--repo=${options.repo}`]),
    ]);
  } catch (error) {
    throw explainPgBackRestError(error, target, options.repo);
  }
  return { seconds: (performance.now() - started) / 1000 };
}
