/**
 * The production API process: stateless, any number behind a load balancer. Needs DATABASE_URL
 * (and, with more than one process, the same KASSA_TOKEN_SECRET and KASSA_OPERATOR_KEY on each).
 * Applies pending migrations under the advisory lock, then listens.
 */
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createLogger } from '../platform/log.ts';
import { migrate } from '../platform/migrate.ts';
import { onShutdown, runMain } from './process-lifecycle.ts';
import { loadSecrets } from './secrets.ts';
import { createSystem } from './system.ts';
import { buildWebApp } from '@kassa/web/build';

await runMain('kassa-api', async () => {
  const config = loadConfig();
  if (config.databaseUrl === undefined)
    throw new ConfigError(
      'DATABASE_URL is required for the api process (npm start runs an embedded database)',
    );
  const logger = createLogger({ level: config.logLevel, name: 'kassa-api' });
  const system = await createSystem({
    config,
    databaseUrl: config.databaseUrl,
    secrets: await loadSecrets(config),
    logger,
    role: 'api',
    ...(config.webApp ? { webAppDir: await buildWebApp(join(config.dataDir, 'web')) } : {}),
  });
  await migrate(system.db);
  const address = await system.listen();
  // Printed whatever the log level, so scripts and supervisors can find the port.
  process.stdout.write(`kassa-api listening at ${address}\n`);
  onShutdown(async (signal) => {
    logger.info({ signal }, 'stopping: draining requests');
    await system.close();
  });
});
