/** The production worker process: background jobs only, any number at once. */
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/config.ts';
import { configuredBackup } from '../modules/backup/index.ts';
import { createLogger } from '../platform/log.ts';
import { startMetricsServer } from '../platform/metrics-server.ts';
import { migrate } from '../platform/migrate.ts';
import { onShutdown, runMain } from './process-lifecycle.ts';
import { loadSecrets } from './secrets.ts';
import { createSystem } from './system.ts';

await runMain('kassa-worker', async () => {
  const config = loadConfig();
  if (config.databaseUrl === undefined)
    throw new ConfigError('DATABASE_URL is required for the worker process');
  const logger = createLogger({ level: config.logLevel, name: 'kassa-worker' });
  const secrets = await loadSecrets(config);
  const system = await createSystem({
    config,
    databaseUrl: config.databaseUrl,
    secrets,
    logger,
    role: 'worker',
    // With KASSA_BACKUP_CONFIG (pgBackRest on this host), the workers take the backups.
    backup: await configuredBackup(config.backup, config.dataDir),
  });
  await migrate(system.db);
  const worker = system.startWorker();
  // The worker serves no API; with WORKER_METRICS_PORT its metrics (webhook delivery, outcome
  // resolution, reconciliation, backups) get a port of their own.
  const metricsServer =
    config.workerMetricsPort === undefined
      ? null
      : await startMetricsServer({
          registry: system.metrics.registry,
          operatorKey: secrets.operatorKey,
          host: config.host,
          port: config.workerMetricsPort,
          tls:
            config.tls === undefined
              ? undefined
              : { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
        });
  logger.info(
    { intervalMs: config.workerIntervalMs, metricsUrl: metricsServer?.url },
    'worker started',
  );
  if (metricsServer !== null)
    process.stdout.write(`kassa-worker metrics at ${metricsServer.url}/metrics\n`);
  onShutdown(async () => {
    await worker.stop();
    await metricsServer?.close();
    await system.close();
  });
});
