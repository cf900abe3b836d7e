/**
 * `npm run bench` (second part), on a cluster that archives WAL as `npm start`'s does:
 *   (d) every payment to one merchant, then the same while full backups run back to back: the
 *       payment path must not slow down by more than 10% (the ratio, measured in this run);
 *   backup size growth per 100,000 payments (a full backup before and after the load);
 *   the restore drill on the grown database: RTO (copy + WAL replay) and MB/s.
 * Needs pgBackRest (bash scripts/ensure-pgbackrest.sh).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../apps/server/src/config/config.ts';
import { systemClock } from '../apps/server/src/kernel/clock.ts';
import { plantDrillCard } from '../apps/server/src/main/drill-canary.ts';
import { createSystem } from '../apps/server/src/main/system.ts';
import {
  embeddedBackup,
  pgbackrestInstalled,
  runDrill,
  takeBackup,
  type BackupResult,
} from '../apps/server/src/modules/backup/index.ts';
import { createDb } from '../apps/server/src/platform/db.ts';
import { startEmbeddedPostgres } from '../apps/server/src/platform/embedded-postgres.ts';
import { createLogger } from '../apps/server/src/platform/log.ts';
import { freePort } from '../apps/server/src/platform/pg-cluster.ts';
import { drive, seed, startProcess, type LoadResult } from './harness.ts';

const root = join(import.meta.dirname, '..');
const walletCount = Number(process.env['BENCH_WALLETS'] ?? 10_000);
const load = {
  durationSeconds: Number(process.env['BENCH_SECONDS'] ?? 15),
  connections: Number(process.env['BENCH_CONNECTIONS'] ?? 64),
};

function log(line: string): void {
  console.log(line);
}

if (!pgbackrestInstalled()) {
  log('backup bench skipped: pgBackRest is not installed (bash scripts/ensure-pgbackrest.sh)');
  process.exit(0);
}

const dataDir = join(tmpdir(), `kassa-bench-backup-${Date.now()}`);
const port = await freePort();
const env = { KASSA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
const config = loadConfig(env);
const password = randomBytes(18).toString('base64url');
const backup = await embeddedBackup({
  settings: config.backup,
  dataDir,
  port,
  postgresPassword: password,
  cipherPass: randomBytes(32).toString('base64url'),
  cipherPassRepo2: randomBytes(32).toString('base64url'),
  role: 'server',
});
if (backup === null) throw new Error('backups are off');
const target = { ...backup.target, repos: [1] };
log(`a cluster that archives WAL, in ${dataDir}…`);
const cluster = await startEmbeddedPostgres({
  dataDir,
  port,
  password,
  settings: backup.serverSettings,
  socketDir: backup.socketDir,
});
const databaseUrl = cluster.connectionString;
const db = createDb({ connectionString: databaseUrl, poolSizeMax: 4, applicationName: 'bench' });
let api: Awaited<ReturnType<typeof startProcess>> | undefined;
try {
  const tokenSecret = randomBytes(32).toString('base64url');
  log(`seeding ${walletCount} funded wallets and a merchant…`);
  const { users, merchantId } = await seed(databaseUrl, walletCount, tokenSecret);
  const backUp = (): Promise<BackupResult> =>
    takeBackup({ db: db.pool, target, clock: systemClock }, { type: 'full', repo: 1 });
  const before = await backUp();
  const payments = async () =>
    Number((await db.query<{ n: string }>('select count(*)::text as n from payments'))[0]?.n);
  const databaseBytes = async () =>
    Number(
      (await db.query<{ n: string }>('select pg_database_size(current_database())::text as n'))[0]
        ?.n,
    );
  const sizeBefore = await databaseBytes();
  api = await startProcess(
    databaseUrl,
    'apps/server/src/main/api.ts',
    /listening at (http:\/\/[^"\s]+)/i,
    {
      KASSA_TOKEN_SECRET: tokenSecret,
      KASSA_OPERATOR_KEY: `op_${randomBytes(24).toString('base64url')}`,
      KASSA_DATA_DIR: join(dataDir, 'api'),
    },
  );
  const apiUrl = api.match;
  const pick = () => users[Math.floor(Math.random() * users.length)]!;
  const pay = () => ({
    path: '/v1/payments',
    token: pick().token,
    body: { merchant: merchantId, amount: 100, currency: 'USD' },
  });
  log('warming up…');
  await drive('warm-up', apiUrl, pay, load);
  const paymentsBefore = await payments();
  log(`(d) hot merchant, ${load.connections} connections, ${load.durationSeconds} s, no backup…`);
  const quiet = await drive('no backup', apiUrl, pay, load);
  log('(d) the same while full backups run back to back…');
  let backingUp = true;
  const taken: BackupResult[] = [];
  const loop = (async () => {
    while (backingUp) taken.push(await backUp());
  })();
  // The first backup is under way before the load starts.
  await sleep(200);
  const busy: LoadResult = await drive('full backups running', apiUrl, pay, load);
  backingUp = false;
  await loop;
  const made = (await payments()) - paymentsBefore;
  const after = await backUp();
  const sizeAfter = await databaseBytes();
  api.stop();
  api = undefined;
  const per100k = (bytes: number) => Math.round((bytes / Math.max(made, 1)) * 100_000);
  const growth = {
    payments: made,
    repoBytesPer100k: per100k(after.repoSizeBytes - before.repoSizeBytes),
    databaseBytesPer100k: per100k(sizeAfter - sizeBefore),
  };

  log('the restore drill on the grown database…');
  const system = await createSystem({
    config: loadConfig({ ...env, DATABASE_URL: databaseUrl }),
    databaseUrl,
    secrets: {
      operatorKey: 'unused-operator-key-0000000000',
      tokenSecret,
      processorApiKey: 'unused',
      processorCallbackSecret: 'unused-too',
      operatorKeyGenerated: false,
      postgresPassword: password,
      backupCipherPass: 'unused',
      backupCipherPassRepo2: 'unused',
    },
    logger: createLogger({ level: 'silent', name: 'bench' }),
    role: 'cli',
  });
  const drill = await runDrill({
    db: db.pool,
    target,
    clock: systemClock,
    database: 'kassa',
    anchors: () => [],
    plantCard: () => plantDrillCard(system),
    sleep,
    say: () => undefined,
  });
  await system.close();

  const ratio = busy.paymentsPerSecond / quiet.paymentsPerSecond;
  log('');
  log('| (d) hot merchant | payments/s | p50 ms | p99 ms | errors | non-2xx |');
  log('|---|---|---|---|---|---|');
  for (const row of [quiet, busy])
    log(
      `| ${row.name} | ${row.paymentsPerSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.errors} | ${row.non2xx} |`,
    );
  log('');
  log(
    `backups running ÷ none: throughput ${ratio.toFixed(2)}× (goal ≥ 0.90×), p50 ${(busy.p50Ms / quiet.p50Ms).toFixed(2)}×, p99 ${(busy.p99Ms / quiet.p99Ms).toFixed(2)}×; ${taken.length} full backups of ${(after.sizeBytes / 1_048_576).toFixed(0)} MB ran during the load (${taken.map((b) => b.seconds.toFixed(1)).join(', ')} s)`,
  );
  log(
    `growth per 100,000 payments (${made} made): repository +${(growth.repoBytesPer100k / 1_048_576).toFixed(1)} MB (compressed, encrypted), database +${(growth.databaseBytesPer100k / 1_048_576).toFixed(1)} MB`,
  );
  log(
    `drill: ${drill.ok ? 'passed' : 'FAILED'}; RTO ${drill.rtoSeconds.toFixed(1)} s for ${drill.restoredMegabytes.toFixed(0)} MB (${drill.megabytesPerSecond.toFixed(0)} MB/s); the whole drill ${drill.seconds.toFixed(1)} s`,
  );
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', 'backup.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        walletCount,
        ...load,
        rows: [quiet, busy],
        ratio,
        backupsDuringLoad: taken.length,
        fullBackupMegabytes: after.sizeBytes / 1_048_576,
        growth,
        drill: {
          ok: drill.ok,
          rtoSeconds: drill.rtoSeconds,
          restoredMegabytes: drill.restoredMegabytes,
          megabytesPerSecond: drill.megabytesPerSecond,
          seconds: drill.seconds,
          failed: drill.checks.filter((c) => !c.ok),
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  api?.stop();
  await db.close();
  await cluster.stop();
  await rm(dataDir, { recursive: true, force: true });
}
