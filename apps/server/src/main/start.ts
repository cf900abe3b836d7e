import { loadConfig, type Config } from '../config/config.ts';
import type { EmbeddedPostgresHandle } from '../platform/embedded-postgres.ts';
import { createLogger } from '../platform/log.ts';
import type { EmbeddedBackup } from '../modules/backup/index.ts';
import { createProcessorSim, type ProcessorSim } from '../../../processor-sim/src/index.ts';
import { join, relative } from 'node:path';
import { migrate } from '../platform/migrate.ts';
import { onShutdown, runMain } from './process-lifecycle.ts';
import { loadSecrets } from './secrets.ts';
import { startEmbeddedDatabase } from './cli-system.ts';
import { seedDemo, type DemoData } from './seed-demo.ts';
import { createSystem } from './system.ts';
import { buildWebApp } from '@kassa/web/build';

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function banner(
  url: string,
  operatorKey: string,
  demo: DemoData | null,
  embedded: boolean,
  processorUrl: string | undefined,
  webApp: boolean,
  backups: string,
  dataFolder: string,
): void {
  say();
  say('  Kassa is running.');
  if (webApp)
    say(`  App        ${url}/app/   (the mobile web app: open it in a phone-sized window)`);
  say(`  API        ${url}/v1`);
  say(`  API docs   ${url}/docs   (OpenAPI: ${url}/openapi.json)`);
  say(`  Health     ${url}/readyz   Metrics: ${url}/metrics`);
  say(
    `  Database   ${embedded ? `embedded PostgreSQL (data in ${dataFolder}; set DATABASE_URL to use your own)` : 'DATABASE_URL'}`,
  );
  say(`  Backups    ${backups}`);
  say(
    `  Processor  ${processorUrl === undefined ? 'none (set PROCESSOR_URL)' : `${processorUrl}   (stand-in; faults: POST ${processorUrl}/admin/faults)`}`,
  );
  say(`  Operator   Authorization: Bearer ${operatorKey}`);
  if (demo !== null) {
    const [alice] = demo.users;
    say();
    say('  Demo users (password for both: kassa-demo-password):');
    for (const user of demo.users)
      say(`    ${user.email}  wallet ${user.walletId}  (1,000.00 USD)`);
    say(
      `  Demo merchant: ${demo.merchant.name} ${demo.merchant.id}  secret key ${demo.merchant.secretKey}`,
    );
    say();
    say('  Try a payment:');
    say(`    TOKEN=$(curl -s ${url}/v1/sessions -H 'content-type: application/json' \\`);
    say(
      `      -d '{"email":"${alice?.email ?? ''}","password":"kassa-demo-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    );
    say(
      `    curl -s ${url}/v1/payments -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    );
    say(
      `      -H "idempotency-key: $(date +%s%N)" -d '{"merchant":"${demo.merchant.id}","amount":1250,"currency":"USD"}'`,
    );
    say(
      '  Top up from a card: save the test card 4242 4242 4242 4242 (POST /v1/payment_methods), then POST /v1/topups (README).',
    );
  }
  say();
  say('  Ctrl-C stops everything; the data is kept for the next start.');
  say();
}

/** Where backups go, or the one line that turns them on. */
function backupLine(config: Config, backup: EmbeddedBackup | null): string {
  if (config.databaseUrl !== undefined)
    return config.backup.configFile === undefined
      ? 'not taken here: back up your DATABASE_URL cluster (npm run kassa -- backup config)'
      : `pgBackRest (${config.backup.configFile}); the worker backs up on schedule`;
  if (!config.backup.enabled) return 'off (BACKUPS=off)';
  if (backup === null)
    return 'off: pgBackRest is not installed (bash scripts/ensure-pgbackrest.sh turns them on)';
  const repos = Object.values(backup.target.repoPaths).map(shown).join(' and ');
  return `WAL archived continuously, full and incremental backups on schedule, to ${repos} (encrypted); npm run kassa -- backup list`;
}

/** A path as typed from here when it is under the working folder, else in full. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside === '' || inside.startsWith('..') ? path : inside;
}

async function main(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel, name: 'kassa' });
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  const secrets = await loadSecrets(config);
  let backup: EmbeddedBackup | null = null;
  if (databaseUrl === undefined) {
    // The embedded cluster archives its WAL and is backed up when pgBackRest is installed.
    say('Starting embedded PostgreSQL…');
    ({ embedded, backup } = await startEmbeddedDatabase(config, secrets));
    databaseUrl = embedded.connectionString;
  }
  // Without PROCESSOR_URL the card network stand-in runs here too, keeping what it charged
  // in the data folder, and Kassa is pointed at it.
  let sim: ProcessorSim | undefined;
  let systemConfig = config;
  if (config.processor.url === undefined) {
    sim = createProcessorSim({
      apiKey: secrets.processorApiKey,
      callbackSecret: secrets.processorCallbackSecret,
      dataFile: join(config.dataDir, 'processor-sim.jsonl'),
    });
    const processorUrl = await sim.listen(config.processor.simPort);
    systemConfig = { ...config, processor: { ...config.processor, url: processorUrl } };
  }
  const system = await createSystem({
    config: systemConfig,
    databaseUrl,
    secrets,
    logger,
    role: 'all',
    backup: backup?.target ?? null,
    ...(config.webApp ? { webAppDir: await buildWebApp(join(config.dataDir, 'web')) } : {}),
  });
  // The stand-in's spans join Kassa's traces, as those of a service of their own.
  sim?.setTracer(system.telemetry.tracerFor('kassa-processor-sim'));
  const applied = await migrate(system.db);
  if (applied.applied.length > 0)
    logger.info({ migrations: applied.applied }, 'migrations applied');
  const worker = system.startWorker();
  const address = await system.listen();
  sim?.setCallbackUrl(`${address}/v1/processor/callbacks`);
  const demo = config.seedDemo
    ? await seedDemo(system.app, secrets.operatorKey, config.dataDir)
    : null;
  banner(
    address.replace('127.0.0.1', 'localhost'),
    secrets.operatorKey,
    demo,
    embedded !== undefined,
    systemConfig.processor.url?.replace('127.0.0.1', 'localhost'),
    config.webApp,
    backupLine(config, backup),
    shown(join(config.dataDir, 'pg')),
  );

  onShutdown(async (signal) => {
    say(`\n${signal}: stopping Kassa…`);
    await worker.stop();
    await sim?.close();
    await system.close();
    await embedded?.stop();
    say('Stopped.');
  });
}

await runMain('kassa', () => main(loadConfig(undefined, { quickStart: true })));
