/**
 * `npm run bench`: drives the real API process over HTTP and divides every figure by the best
 * naive PostgreSQL design measured in the same run (bench/naive-baseline.ts: one stored-function
 * call per transfer under pgbench, just before and just after the API scenarios).
 *   (a) P2P payments between 10,000 wallets, flat out
 *   (a80) the same at 80% of (a)'s rate: the latency a busy but not saturated service gives
 *   (a1) one client alone: the latency of an idle service
 *   (b) every payment to one merchant (a hot account)
 *   (c) (b) again with a worker process relaying the outbox, making alerts and sending the
 *       merchant's webhooks to a receiver that takes a second per delivery
 *   (a-off) (a) again on a second API process with fraud scoring off (`RISK_MODE=off`): (a)
 *       scores every payment (the bundled model, in shadow), so (a) ÷ (a-off) is its cost
 * For (a) and (b) it also prints what one payment costs: API and PostgreSQL CPU, rows and index
 * entries written, WAL bytes (bench/resource-use.ts).
 * Uses BENCH_DATABASE_URL or the local PostgreSQL on 127.0.0.1:5432 (a fresh database each run).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { installNaiveBaseline, runNaiveBaseline, type PgbenchResult } from './naive-baseline.ts';
import { perPayment, settledSnapshot, type PerPayment } from './resource-use.ts';

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

const naiveClients = Math.min(connections, 32);
function naive(hot: boolean): PgbenchResult | null {
  return runNaiveBaseline({
    databaseUrl,
    accounts: walletCount,
    clients: naiveClients,
    seconds: durationSeconds,
    hot,
    log,
  });
}

const load = { connections, durationSeconds };
const drive = (
  name: string,
  apiUrl: string,
  makeRequest: () => { path: string; token: string; body: unknown },
  overrides: { connections?: number; overallRate?: number; durationSeconds?: number } = {},
): Promise<LoadResult> => driveLoad(name, apiUrl, makeRequest, { ...load, ...overrides });
const startProcess = (script: string, ready: RegExp, env: Record<string, string>) =>
  startKassa(databaseUrl, script, ready, env);

await createDatabase();
const tokenSecret = randomBytes(32).toString('base64url');
const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
log(`seeding ${walletCount} funded wallets and a merchant into ${database}…`);
const { users, merchantId, merchantKey } = await seed(databaseUrl, walletCount, tokenSecret);
await installNaiveBaseline(databaseUrl, walletCount);
log(
  `naive baseline before the API runs (pgbench, ${naiveClients} clients, ${durationSeconds}s each)…`,
);
const naiveBefore = { p2p: naive(false), hot: naive(true) };
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
  const transfer = () => {
    const from = pick();
    let to = pick();
    while (to === from) to = pick();
    return {
      path: '/v1/transfers',
      token: from.token,
      body: { to: to.wire, amount: 1, currency: 'USD' },
    };
  };
  const hotPayment = () => ({
    path: '/v1/payments',
    token: pick().token,
    body: { merchant: merchantId, amount: 100, currency: 'USD' },
  });
  const probeClient = new pg.Client({ connectionString: databaseUrl });
  await probeClient.connect();
  /** Runs a scenario and works out what each of its payments cost. */
  const measured = async (run: () => Promise<LoadResult>) => {
    const before = await settledSnapshot(probeClient);
    const apiCpu = api.cpuSeconds();
    const { result, ...machine } = await withMachineCpu(run);
    const apiCpuMs = ((api.cpuSeconds() - apiCpu) * 1000) / result.total;
    const after = await settledSnapshot(probeClient);
    const cost = await perPayment(probeClient, before, after, result.total);
    return { result, machine, cost: { apiCpuMs, ...cost } };
  };
  log(`(a) P2P between ${walletCount} wallets, ${connections} connections, ${durationSeconds}s…`);
  const { result: p2p, cost: p2pCost } = await measured(() => drive('p2p', apiUrl, transfer));
  log(`(a-off) P2P again on an API process with fraud scoring off…`);
  const apiOff = await startProcess(
    'apps/server/src/main/api.ts',
    /listening at (http:\/\/[^"\s]+)/i,
    { ...secrets, RISK_MODE: 'off' },
  );
  const p2pOff = await drive('p2p-risk-off', apiOff.match, transfer).finally(() => apiOff.stop());
  const rate80 = Math.max(1, Math.round(p2p.paymentsPerSecond * 0.8));
  log(`(a80) P2P at 80% of (a): ${rate80}/s…`);
  const p2p80 = await drive('p2p-80%', apiUrl, transfer, { overallRate: rate80 });
  log('(a1) P2P, one client alone…');
  const lone = await drive('p2p-lone', apiUrl, transfer, {
    connections: 1,
    durationSeconds: Math.min(durationSeconds, 5),
  });
  log(`(b) every payment to one merchant…`);
  const {
    result: hot,
    machine: hotCpu,
    cost: hotCost,
  } = await measured(() => drive('hot-merchant', apiUrl, hotPayment));
  await probeClient.end();

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
    drive('hot-merchant+worker', apiUrl, hotPayment),
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
  log(`naive baseline after the API runs…`);
  const naiveAfter = { p2p: naive(false), hot: naive(true) };
  // The floor for (a1): one durable commit after another, nothing else.
  const naiveLone = runNaiveBaseline({
    databaseUrl,
    accounts: walletCount,
    clients: 1,
    seconds: Math.min(durationSeconds, 5),
    hot: false,
    log,
  });
  const mean = (x: PgbenchResult | null, y: PgbenchResult | null) =>
    x === null || y === null ? null : Math.round((x.tps + y.tps) / 2);
  const naiveP2p = mean(naiveBefore.p2p, naiveAfter.p2p);
  const naiveHot = mean(naiveBefore.hot, naiveAfter.hot);
  const ratio = (a: number, b: number | null) =>
    b === null || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`;
  const rows = [
    { scenario: '(a) P2P, 10k wallets', api: p2p },
    { scenario: '(a-off) (a) with fraud scoring off', api: p2pOff },
    { scenario: `(a80) P2P at 80% of (a)`, api: p2p80 },
    { scenario: '(a1) P2P, one client', api: lone },
    { scenario: '(b) hot merchant', api: hot },
    { scenario: '(c) hot merchant + worker and 1-s webhooks', api: hotWithWorker },
  ];
  log('');
  log(
    `naive baseline (one stored-function call per transfer, ${naiveClients} pgbench clients), before / after: ` +
      `P2P ${naiveBefore.p2p?.tps ?? '-'} / ${naiveAfter.p2p?.tps ?? '-'} tx/s, ` +
      `every transfer to one account ${naiveBefore.hot?.tps ?? '-'} / ${naiveAfter.hot?.tps ?? '-'} tx/s, ` +
      `one client alone ${naiveLone?.tps ?? '-'} tx/s (${naiveLone?.latencyMs ?? '-'} ms each)`,
  );
  log('');
  log(
    '| scenario | API payments/s | p50 ms | p99 ms | errors | non-2xx | ÷ naive P2P | ÷ naive one-account |',
  );
  log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    log(
      `| ${row.scenario} | ${row.api.paymentsPerSecond} | ${row.api.p50Ms} | ${row.api.p99Ms} | ${row.api.errors} | ${row.api.non2xx} | ${ratio(row.api.paymentsPerSecond, naiveP2p)} | ${ratio(row.api.paymentsPerSecond, naiveHot)} |`,
    );
  }
  log('');
  log(
    '| per payment | API CPU ms | PostgreSQL CPU ms | rows inserted | rows updated | index entries | WAL bytes |',
  );
  log('|---|---|---|---|---|---|---|');
  const costs: [string, PerPayment & { apiCpuMs: number }][] = [
    ['(a) P2P', p2pCost],
    ['(b) hot merchant', hotCost],
  ];
  for (const [name, cost] of costs)
    log(
      `| ${name} | ${cost.apiCpuMs.toFixed(3)} | ${cost.postgresCpuMs.toFixed(3)} | ${cost.rowsInserted.toFixed(2)} | ${cost.rowsUpdated.toFixed(2)} | ${cost.indexEntries.toFixed(1)} | ${Math.round(cost.walBytes)} |`,
    );
  log('budgets (issue 14): API ≤ 0.15 ms, PostgreSQL ≤ 0.15 ms, ≤ 3 rows, ≤ 8 index entries');
  log(
    `(a) by table, rows inserted / index entries per payment: ${p2pCost.byTable
      .map((t) => `${t.table} ${t.inserted.toFixed(2)}/${t.indexEntries.toFixed(1)}`)
      .join(', ')}`,
  );
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
    `fraud scoring: (a) ÷ (a-off) throughput ${(p2p.paymentsPerSecond / p2pOff.paymentsPerSecond).toFixed(2)}×, ` +
      `p99 ${(p2p.p99Ms / p2pOff.p99Ms).toFixed(2)}× (issue 15: throughput ≥ 0.90× with scoring on)`,
  );
  log(
    `ledger after the run: balanced=${report.balanced}, ${report.transfers_checked} transfers, ${report.mismatches.length} mismatches`,
  );
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), walletCount, connections, durationSeconds, naive: { before: naiveBefore, after: naiveAfter, lone: naiveLone }, rows, costs: Object.fromEntries(costs), asyncWork, balanced: report.balanced }, null, 2)}\n`,
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
