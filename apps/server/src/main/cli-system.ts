import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import {
  configuredBackup,
  embeddedBackup,
  type BackupTarget,
  type EmbeddedBackup,
} from '../modules/backup/index.ts';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../platform/embedded-postgres.ts';
import { createLogger } from '../platform/log.ts';
import { onShutdown } from './process-lifecycle.ts';
import { loadSecrets, type Secrets } from './secrets.ts';
import { createSystem, type System } from './system.ts';

/**
 * A command's view of the cluster's backups (null: none configured or pgBackRest missing).
 * `server`: for a restore in place, whose restore_command the restarted cluster reads.
 */
export async function backupTarget(
  config: Config,
  secrets: Secrets,
  role: 'server' | 'command' = 'command',
): Promise<BackupTarget | null> {
  if (config.databaseUrl !== undefined) return configuredBackup(config.backup, config.dataDir);
  return (await embeddedBackupOf(config, secrets, role))?.target ?? null;
}

/** The embedded cluster's backup setup (null: backups off or pgBackRest missing). */
export function embeddedBackupOf(
  config: Config,
  secrets: Secrets,
  role: 'server' | 'command',
): Promise<EmbeddedBackup | null> {
  return embeddedBackup({
    settings: config.backup,
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    postgresPassword: secrets.postgresPassword,
    cipherPass: secrets.backupCipherPass,
    cipherPassRepo2: secrets.backupCipherPassRepo2,
    role,
  });
}

/** Starts `npm start`'s embedded PostgreSQL, archiving WAL when pgBackRest is there. */
export async function startEmbeddedDatabase(
  config: Config,
  secrets: Secrets,
): Promise<{ embedded: EmbeddedPostgresHandle; backup: EmbeddedBackup | null }> {
  const backup = await embeddedBackupOf(config, secrets, 'server');
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    password: secrets.postgresPassword,
    ...(backup === null ? {} : { settings: backup.serverSettings, socketDir: backup.socketDir }),
  });
  return { embedded, backup };
}

/**
 * Runs `work` on a System over DATABASE_URL, or over the embedded database of `npm start`
 * (already running, or started here with the same settings — WAL archiving included — and
 * stopped afterwards).
 */
export async function withSystem(
  config: Config,
  work: (system: System, secrets: Secrets) => Promise<number>,
): Promise<number> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  const secrets = await loadSecrets(config);
  if (databaseUrl === undefined) {
    ({ embedded } = await startEmbeddedDatabase(config, secrets));
    databaseUrl = embedded.connectionString;
  }
  const logger = createLogger({ level: 'warn', name: 'kassa-cli' });
  const system = await createSystem({
    config,
    databaseUrl,
    secrets,
    logger,
    role: 'cli',
  });
  if (embedded !== undefined)
    onShutdown(async () => {
      await system.close();
      await embedded?.stop();
    });
  try {
    return await work(system, secrets);
  } finally {
    await system.close();
    await embedded?.stop();
  }
}

/**
 * The live database if it answers now, without starting anything (a restore must work with
 * the primary gone): DATABASE_URL, or the embedded cluster when its server runs.
 */
export async function liveDatabase(config: Config, secrets: Secrets): Promise<pg.Client | null> {
  let url = config.databaseUrl;
  if (url === undefined) {
    if (!existsSync(join(config.dataDir, 'pg', 'postmaster.pid'))) return null;
    url = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${config.embeddedPostgresPort}/kassa`;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return null;
  }
}
