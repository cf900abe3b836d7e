/**
 * What one request costs the API process, in CPU and in latency, without HTTP sockets or a load
 * generator in the way: the whole system in this process, driven through `inject()`. Made to
 * compare builds (issue 17 §4 measured tracing with it: run it on a checkout without tracing,
 * then with), where `npm run bench` takes minutes and wants a quiet machine.
 *   REQUESTS (default 2000) P2P transfers and as many `GET /v1/me`, one at a time and then 8 at
 *   a time, after 300 of each to warm up. Prints one JSON line.
 * Uses BENCH_DATABASE_URL or the local PostgreSQL on 127.0.0.1:5432 (a fresh database each run).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../apps/server/src/config/config.ts';
import { createSystem, type System } from '../apps/server/src/main/system.ts';
import { createLogger } from '../apps/server/src/platform/log.ts';
import { migrate } from '../apps/server/src/platform/migrate.ts';

const requests = Number(process.env['REQUESTS'] ?? 2_000);
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `kassa_request_cost_${Date.now()}`;
const url = new URL(adminUrl);
url.pathname = `/${database}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

async function setUp(operatorKey: string): Promise<System> {
  const config = loadConfig({
    LOG_LEVEL: 'info',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    STEP_UP_VELOCITY_MAX: '1000000',
    STEP_UP_LIMITS: 'USD=1000/90000000000',
    KASSA_JOURNAL_ANCHOR_FILE: 'off',
    KASSA_VAULT_KEYS: JSON.stringify({
      current: 'v1',
      keks: { v1: randomBytes(32).toString('base64') },
      fingerprint_key: randomBytes(32).toString('base64'),
    }),
  });
  const system = await createSystem({
    config,
    databaseUrl: url.toString(),
    secrets: {
      operatorKey,
      tokenSecret: randomBytes(32).toString('base64url'),
      processorApiKey: randomBytes(24).toString('base64url'),
      processorCallbackSecret: randomBytes(24).toString('base64url'),
      operatorKeyGenerated: false,
      postgresPassword: 'unused',
      backupCipherPass: 'unused',
      backupCipherPassRepo2: 'unused',
    },
    // Lines are made and (with tracing) shipped as in production; only the terminal is spared.
    logger: createLogger({ level: 'info', name: 'kassa-bench', destination: { write() {} } }),
    role: 'bench',
  });
  await migrate(system.db);
  return system;
}

async function user(system: System, name: string): Promise<{ token: string; wallet: string }> {
  const email = `${name}-${randomUUID().replace(/[0-9-]/g, '')}@kassa.test`;
  const password = 'correct horse battery';
  const made = await system.app.inject({
    method: 'POST',
    url: '/v1/users',
    payload: { email, password, name, currency: 'USD' },
  });
  const session = await system.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    payload: { email, password },
  });
  return {
    token: session.json<{ access_token: string }>().access_token,
    wallet: made.json<{ wallets: { id: string }[] }>().wallets[0]?.id ?? '',
  };
}

interface Run {
  readonly cpuUsPerRequest: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
}

/** `count` requests, `parallel` at a time: CPU of this process per request, and latencies. */
async function run(
  count: number,
  parallel: number,
  send: () => Promise<number>,
  expected: number,
): Promise<Run> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        const started = performance.now();
        if ((await send()) !== expected) failed += 1;
        latencies.push(performance.now() - started);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Number((latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2));
  return {
    cpuUsPerRequest: Math.round((used.user + used.system) / count),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    failed,
  };
}

await admin(`create database ${database}`);
const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
const system = await setUp(operatorKey);
try {
  const alice = await user(system, 'alice');
  const bob = await user(system, 'bob');
  await system.app.inject({
    method: 'POST',
    url: '/v1/admin/funding',
    headers: { authorization: `Bearer ${operatorKey}`, 'idempotency-key': randomUUID() },
    payload: { wallet: alice.wallet, amount: 1_000_000_000, currency: 'USD' },
  });
  const transfer = async () =>
    (
      await system.app.inject({
        method: 'POST',
        url: '/v1/transfers',
        headers: { authorization: `Bearer ${alice.token}`, 'idempotency-key': randomUUID() },
        payload: { to: bob.wallet, amount: 1, currency: 'USD' },
      })
    ).statusCode;
  const me = async () =>
    (
      await system.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: { authorization: `Bearer ${alice.token}` },
      })
    ).statusCode;
  await run(300, 4, transfer, 201);
  await run(300, 4, me, 200);
  const result = {
    requests,
    transfer1: await run(requests, 1, transfer, 201),
    transfer8: await run(requests, 8, transfer, 201),
    me1: await run(requests, 1, me, 200),
    me8: await run(requests, 8, me, 200),
    traceRowsPerRequest: 0,
  };
  // Spans and log lines are written within a second; count what the runs left (when traced).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const traced = await system.db
    .query<{ n: string }>(
      'select ((select count(*) from trace_spans) + (select count(*) from trace_logs))::text as n',
    )
    .catch(() => [{ n: '0' }]);
  result.traceRowsPerRequest = Number(
    (Number(traced[0]?.n ?? 0) / (4 * requests + 1_200)).toFixed(2),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await system.close();
  await admin(`drop database ${database} with (force)`);
}
