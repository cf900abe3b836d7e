/**
 * `npm run bench`: drives the real API process over HTTP and compares it with the raw
 * PostgreSQL ceiling for the same ledger SQL, measured in the same run with pgbench.
 *   (a) P2P payments between 10,000 wallets
 *   (b) every payment to one merchant (a hot account)
 *   (c) (b) again with a worker process relaying the outbox, making alerts and sending the
 *       merchant's webhooks to a receiver that takes a second per delivery: the payment path
 *       must not slow down by any of that work (compared with (b) in the same run)
 * Uses BENCH_DATABASE_URL or the local PostgreSQL on 127.0.0.1:5432 (a fresh database each run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { systemClock } from '../apps/server/src/kernel/clock.ts';
import { createDb } from '../apps/server/src/platform/db.ts';
import { outboxLag } from '../apps/server/src/modules/events/index.ts';
import { createLedger, createLedgerWriter } from '../apps/server/src/modules/ledger/index.ts';
import {
  drive as driveLoad,
  seed,
  startProcess as startKassa,
  withMachineCpu,
  type LoadResult,
} from './harness.ts';
import { paymentTransactionScript } from './pgbench-scripts.ts';

const root = join(import.meta.dirname, '..');
const walletCount = Number(process.env['BENCH_WALLETS'] ?? 10_000);
const durationSeconds = Number(process.env['BENCH_SECONDS'] ?? 15);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `kassa_bench_${Date.now()}`;
const url = new URL(adminUrl);
url.pathname = `/${database}`;
const databaseUrl = url.toString();

function log(line: string): void {
  console.log(line);
}

async function createDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
}

/**
 * A merchant's webhook receiver that takes `delayMs` to answer each delivery: if any of that
 * work were on the payment path, payments would slow down by as much.
 */
async function startSlowReceiver(delayMs: number) {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      setTimeout(() => {
        received += 1;
        response.writeHead(204).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function pgbench(hot: boolean): { tps: number; latencyMs: number } | null {
  if (spawnSync('pgbench', ['--version']).status !== 0) return null;
  const file = join(tmpdir(), `kassa-pgbench-${hot ? 'hot' : 'p2p'}.sql`);
  writeFileSync(file, paymentTransactionScript({ hot }));
  let out: string;
  try {
    out = execFileSync(
      'pgbench',
      [
        '-n',
        '-c',
        String(Math.min(connections, 32)),
        '-j',
        '2',
        '-T',
        String(durationSeconds),
        '-f',
        file,
        '-D',
        `naccounts=${walletCount}`,
        databaseUrl,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    log(`pgbench failed: ${String((error as { stderr?: string }).stderr ?? error).slice(0, 500)}`);
    return null;
  }
  const tps = Number(/tps = ([0-9.]+)/.exec(out)?.[1] ?? 0);
  const latencyMs = Number(/latency average = ([0-9.]+) ms/.exec(out)?.[1] ?? 0);
  return { tps: Math.round(tps), latencyMs };
}

const load = { connections, durationSeconds };
const drive = (
  name: string,
  apiUrl: string,
  makeRequest: () => { path: string; token: string; body: unknown },
): Promise<LoadResult> => driveLoad(name, apiUrl, makeRequest, load);
const startProcess = (script: string, ready: RegExp, env: Record<string, string>) =>
  startKassa(databaseUrl, script, ready, env);

await createDatabase();
const tokenSecret = randomBytes(32).toString('base64url');
const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
log(`seeding ${walletCount} funded wallets and a merchant into ${database}…`);
const { users, merchantId, merchantKey } = await seed(databaseUrl, walletCount, tokenSecret);
const secrets = {
  KASSA_TOKEN_SECRET: tokenSecret,
  KASSA_OPERATOR_KEY: operatorKey,
  // The slow receiver of (c) runs on this machine.
  WEBHOOK_ALLOW_LOOPBACK: 'true',
};
const api = await startProcess(
  'apps/server/src/main/api.ts',
  /listening at (http:\/\/[^"\s]+)/i,
  secrets,
);
const apiUrl = api.match;
let worker: Awaited<ReturnType<typeof startProcess>> | undefined;
const receiver = await startSlowReceiver(1_000);
const pick = () => users[Math.floor(Math.random() * users.length)]!;
try {
  log(`warming up…`);
  await drive('warm-up', apiUrl, () => ({
    path: '/v1/transfers',
    token: pick().token,
    body: { to: pick().wire, amount: 1, currency: 'USD' },
  }));
  log(`(a) P2P between ${walletCount} wallets, ${connections} connections, ${durationSeconds}s…`);
  const p2p = await drive('p2p', apiUrl, () => {
    const from = pick();
    let to = pick();
    while (to === from) to = pick();
    return {
      path: '/v1/transfers',
      token: from.token,
      body: { to: to.wire, amount: 1, currency: 'USD' },
    };
  });
  log(`(b) every payment to one merchant…`);
  const { result: hot, ...hotCpu } = await withMachineCpu(() =>
    drive('hot-merchant', apiUrl, () => ({
      path: '/v1/payments',
      token: pick().token,
      body: { merchant: merchantId, amount: 100, currency: 'USD' },
    })),
  );

  log('(c) (b) again, with a worker relaying events and sending webhooks to a 1-s receiver…');
  const endpoint = await fetch(`${apiUrl}/v1/webhook_endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events: ['*'] }),
  });
  if (endpoint.status !== 201) throw new Error(`webhook endpoint: ${await endpoint.text()}`);
  worker = await startProcess('apps/server/src/main/worker-process.ts', /worker started/, {
    ...secrets,
    LOG_LEVEL: 'info',
    WEBHOOK_INTERVAL_MS: '100',
    WEBHOOK_TIMEOUT_MS: '5000',
  });
  const probe = createDb({
    connectionString: databaseUrl,
    poolSizeMax: 2,
    applicationName: 'kassa-bench',
  });
  /** Events not yet handled by the slowest consumer. */
  const lag = async () =>
    Math.max(...(await outboxLag(probe.pool, ['webhooks', 'notifications', 'cache'])).values());
  const backlogAt = performance.now();
  const backlog = await lag();
  while ((await lag()) > 1_000 && performance.now() - backlogAt < 180_000)
    await new Promise((resolve) => setTimeout(resolve, 500));
  log(
    `   the worker relayed the ${backlog} events of (a) and (b) in ${((performance.now() - backlogAt) / 1000).toFixed(1)} s first`,
  );
  const counts = async () => {
    const rows = await probe.query<{ events: string; deliveries: string }>(
      `select (select count(*) from events)::text as events, (select count(*) from webhook_deliveries)::text as deliveries`,
    );
    return {
      events: Number(rows[0]?.events),
      deliveries: Number(rows[0]?.deliveries),
      received: receiver.received(),
    };
  };
  const before = await counts();
  const cpuBefore = { api: api.cpuSeconds(), worker: worker.cpuSeconds() };
  const { result: hotWithWorker, ...workerCpu } = await withMachineCpu(() =>
    drive('hot-merchant+worker', apiUrl, () => ({
      path: '/v1/payments',
      token: pick().token,
      body: { merchant: merchantId, amount: 100, currency: 'USD' },
    })),
  );
  const during = await counts();
  const cpu = {
    api: api.cpuSeconds() - cpuBefore.api,
    worker: worker.cpuSeconds() - cpuBefore.worker,
  };
  const lagAfter = await lag();
  worker.stop();
  api.stop();
  await probe.close();
  const asyncWork = {
    eventsWritten: during.events - before.events,
    outboxLagAfter: lagAfter,
    webhooksQueued: during.deliveries - before.deliveries,
    webhooksAnswered: during.received - before.received,
    apiCpuSeconds: cpu.api,
    workerCpuSeconds: cpu.worker,
    machineBusyPct: { b: hotCpu.busyPct, c: workerCpu.busyPct },
    machineIowaitPct: { b: hotCpu.iowaitPct, c: workerCpu.iowaitPct },
  };
  const verify = createDb({
    connectionString: databaseUrl,
    poolSizeMax: 2,
    applicationName: 'kassa-bench',
  });
  const ledger = createLedger({
    db: verify,
    clock: systemClock,
    writer: createLedgerWriter({
      db: verify,
      clock: systemClock,
      batchSizeMax: 1,
      lingerMs: 0,
      batchesInFlightMax: 1,
      queueMax: 1_000_000,
    }),
  });
  const report = await ledger.verify();
  await verify.close();
  log('raw PostgreSQL ceiling for the same SQL, one transaction per payment (pgbench)…');
  const rawP2p = pgbench(false);
  const rawHot = pgbench(true);
  const rows = [
    { scenario: '(a) P2P, 10k wallets', api: p2p, raw: rawP2p },
    { scenario: '(b) hot merchant', api: hot, raw: rawHot },
    { scenario: '(c) hot merchant + worker and 1-s webhooks', api: hotWithWorker, raw: rawHot },
  ];
  log('');
  log(
    '| scenario | API payments/s | p50 ms | p99 ms | errors | non-2xx | raw SQL tx/s (pgbench) | API ÷ raw |',
  );
  log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const ratio =
      row.raw === null || row.raw.tps === 0
        ? 'n/a'
        : `${(row.api.paymentsPerSecond / row.raw.tps).toFixed(2)}×`;
    log(
      `| ${row.scenario} | ${row.api.paymentsPerSecond} | ${row.api.p50Ms} | ${row.api.p99Ms} | ${row.api.errors} | ${row.api.non2xx} | ${row.raw?.tps ?? 'pgbench missing'} | ${ratio} |`,
    );
  }
  log('');
  log(
    `(c) ÷ (b): throughput ${(hotWithWorker.paymentsPerSecond / hot.paymentsPerSecond).toFixed(2)}×, ` +
      `p50 ${(hotWithWorker.p50Ms / hot.p50Ms).toFixed(2)}×, p99 ${(hotWithWorker.p99Ms / hot.p99Ms).toFixed(2)}×; ` +
      `meanwhile ${asyncWork.eventsWritten} events were written (the slowest consumer was ${asyncWork.outboxLagAfter} behind at the end), the worker ` +
      `queued ${asyncWork.webhooksQueued} webhook deliveries and the receiver answered ${asyncWork.webhooksAnswered} (1 s each); ` +
      `CPU used in (c): API ${asyncWork.apiCpuSeconds.toFixed(1)} s, worker ${asyncWork.workerCpuSeconds.toFixed(1)} s, of ${2 * durationSeconds} core-seconds; ` +
      `machine CPU busy (b) ${hotCpu.busyPct}%, (c) ${workerCpu.busyPct}%; I/O wait (b) ${hotCpu.iowaitPct}%, (c) ${workerCpu.iowaitPct}%`,
  );
  log(
    `ledger after the run: balanced=${report.balanced}, ${report.transfers_checked} transfers, ${report.mismatches.length} mismatches`,
  );
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), walletCount, connections, durationSeconds, rows, asyncWork, balanced: report.balanced }, null, 2)}\n`,
  );
} finally {
  worker?.stop();
  api.stop();
  await receiver.close();
  if (process.env['BENCH_KEEP_DATABASE'] !== 'true') {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}
