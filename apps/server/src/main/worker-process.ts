/** The production worker process: background jobs only, any number at once. */
import { ConfigError, loadConfig } from '../config/config.ts';
import { configuredBackup } from '../modules/backup/index.ts';
import { createLogger } from '../platform/log.ts';
import { migrate } from '../platform/migrate.ts';
import { onShutdown, runMain } from './process-lifecycle.ts';
import { loadSecrets } from './secrets.ts';
import { createSystem } from './system.ts';

await runMain('kassa-worker', async () => {
  const config = loadConfig();
  if (config.databaseUrl === undefined)
    throw new ConfigError('DATABASE_URL is required for the worker process');
  const logger = createLogger({ level: config.logLevel, name: 'kassa-worker' });
  const system = await createSystem({
    config,
    databaseUrl: config.databaseUrl,
    secrets: await loadSecrets(config),
    logger,
    role: 'worker',
    // With KASSA_BACKUP_CONFIG (pgBackRest on this host), the workers take the backups.
    backup: await configuredBackup(config.backup, config.dataDir),
  });
  await migrate(system.db);
  const worker = system.startWorker();
  logger.info({ intervalMs: config.workerIntervalMs }, 'worker started');
  onShutdown(async () => {
    await worker.stop();
    await system.close();
  });
});
