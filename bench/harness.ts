/**
 * What the benchmarks share: seeding funded wallets, starting Kassa processes on a database,
 * driving them with autocannon and reading the machine's CPU.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { systemClock } from '../apps/server/src/kernel/clock.ts';
import { encodeId, newUuid } from '../apps/server/src/kernel/ids.ts';
import { createDb } from '../apps/server/src/platform/db.ts';
import { migrate } from '../apps/server/src/platform/migrate.ts';
import {
  accessTokenKeysFromSecret,
  createMerchant,
  hashPassword,
  signAccessToken,
} from '../apps/server/src/modules/identity/index.ts';
import {
  accountFlags,
  createLedger,
  createLedgerWriter,
} from '../apps/server/src/modules/ledger/index.ts';

const root = join(import.meta.dirname, '..');

/** Funded wallets (each with an access token) and a merchant, written straight to the tables. */
export async function seed(databaseUrl: string, walletCount: number, tokenSecret: string) {
  const db = createDb({
    connectionString: databaseUrl,
    poolSizeMax: 4,
    applicationName: 'kassa-bench',
  });
  await migrate(db);
  const writer = createLedgerWriter({
    db,
    clock: systemClock,
    batchSizeMax: 1,
    lingerMs: 0,
    batchesInFlightMax: 1,
    queueMax: 1_000_000,
  });
  const ledger = createLedger({ db, clock: systemClock, writer });
  const passwordHash = await hashPassword('bench-password-123');
  const users = Array.from({ length: walletCount }, () => ({
    userId: newUuid(),
    walletId: newUuid(),
  }));
  const fundingId = newUuid();
  await ledger.openAccounts(db.pool, [
    { id: fundingId, currency: 'USD', code: 'system_funding', flags: 0 },
  ]);
  for (let i = 0; i < users.length; i += 5_000) {
    const slice = users.slice(i, i + 5_000);
    await db.transaction(async (client) => {
      await client.query(
        `insert into users (id, email, name, password_hash) select u, 'bench-' || u || '@kassa.test', 'Bench', $2 from unnest($1::uuid[]) u`,
        [slice.map((u) => u.userId), passwordHash],
      );
      await ledger.openAccounts(
        client,
        slice.map((u) => ({
          id: u.walletId,
          currency: 'USD',
          code: 'user_wallet',
          flags: accountFlags.debitsMustNotExceedCredits,
        })),
      );
      await client.query(
        `insert into wallets (id, user_id, currency) select * from unnest($1::uuid[], $2::uuid[], $3::text[])`,
        [slice.map((u) => u.walletId), slice.map((u) => u.userId), slice.map(() => 'USD')],
      );
    });
  }
  for (let i = 0; i < users.length; i += 8_000) {
    await ledger.postBatch(
      users.slice(i, i + 8_000).map((u) => ({
        id: newUuid(),
        debitAccountId: fundingId,
        creditAccountId: u.walletId,
        amount: 100_000_000n,
        code: 'funding',
        flags: 0,
      })),
    );
  }
  const { merchant, secretKey: merchantKey } = await createMerchant(db.pool, ledger, {
    name: 'Hot Shop',
    verifiedName: 'Hot Shop Ltd',
    category: 'retail',
    currency: 'USD',
    feeBps: 290,
  });
  // The pgbench scripts address accounts by number: 0 is the hot merchant.
  await db.query('create table bench_accounts (n int primary key, id uuid not null)');
  await db.query('insert into bench_accounts select * from unnest($1::int[], $2::uuid[])', [
    [0, ...users.map((_, i) => i + 1)],
    [merchant.accountId, ...users.map((u) => u.walletId)],
  ]);
  const keys = accessTokenKeysFromSecret(tokenSecret);
  const tokens = await Promise.all(
    users.map((u) =>
      signAccessToken(
        keys,
        { userId: u.userId, sessionFamilyId: newUuid(), deviceId: null },
        new Date(),
        86_400,
      ),
    ),
  );
  await writer.close();
  await db.close();
  return {
    users: users.map((u, i) => ({
      ...u,
      token: tokens[i] ?? '',
      wire: encodeId('wal', u.walletId),
    })),
    merchantId: encodeId('mer', merchant.id),
    merchantKey,
  };
}

const benchDataDir = join(tmpdir(), `kassa-bench-${Date.now()}`);

/** Starts a Kassa process on the bench database; resolves once `ready` matches its output. */
export async function startProcess(
  databaseUrl: string,
  script: string,
  ready: RegExp,
  env: Record<string, string>,
): Promise<{ match: string; cpuSeconds(): number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env['BENCH_CPU_PROF'] === 'true'
        ? ['--cpu-prof', '--cpu-prof-dir=/tmp/kassa-prof']
        : []),
      '--import',
      'tsx',
      script,
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
        // One data folder for every process of the run: the API seals webhook secrets with the
        // keyring kept there, and a worker with a keyring of its own could not unseal them.
        KASSA_DATA_DIR: benchDataDir,
        // Every step-up check runs; a load generator's wallets pay far more often than a
        // person, so the velocity threshold is lifted (amounts stay under the daily limit).
        STEP_UP_VELOCITY_MAX: '1000000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const match = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (out.length > 100_000) return;
      out += chunk.toString();
      const found = ready.exec(out);
      if (found !== null) resolve(found[1] ?? found[0]);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
  return {
    match,
    /** CPU time (user + system) the process has used so far, from /proc. */
    cpuSeconds() {
      const fields =
        readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: () => child.kill('SIGINT'),
  };
}

/** Whole-machine CPU counters (jiffies) from /proc/stat: busy, and waiting on I/O. */
function machineCpu(): { busy: number; iowait: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = (
    readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  )
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, iowait, total: busy + idle + iowait };
}

/** Runs `work` and reports the share of the machine's CPU that was busy and waiting on I/O. */
export async function withMachineCpu<T>(work: () => Promise<T>) {
  const start = machineCpu();
  const result = await work();
  const end = machineCpu();
  const total = end.total - start.total;
  return {
    result,
    busyPct: Math.round((100 * (end.busy - start.busy)) / total),
    iowaitPct: Math.round((100 * (end.iowait - start.iowait)) / total),
  };
}

export interface LoadResult {
  name: string;
  paymentsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

export async function drive(
  name: string,
  apiUrl: string,
  makeRequest: () => { path: string; token: string; body: unknown },
  load: { connections: number; durationSeconds: number; overallRate?: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url: apiUrl,
    connections: load.connections,
    duration: load.durationSeconds,
    ...(load.overallRate === undefined ? {} : { overallRate: load.overallRate }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const next = makeRequest();
          return {
            ...request,
            path: next.path,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${next.token}`,
              'idempotency-key': randomUUID(),
            },
            body: JSON.stringify(next.body),
          };
        },
      },
    ],
  });
  return {
    name,
    paymentsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}
