/**
 * Disaster recovery as an operator meets it: `npm start` archives and backs up by itself; the
 * `npm run kassa -- backup | restore | dr drill` commands restore to the second, beside the
 * live cluster or over a lost one, and refuse bad input without changing anything.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.ts';
import { encodeId, newUuid } from '../src/kernel/ids.ts';
import { loadSecrets } from '../src/main/secrets.ts';
import { createSystem, type System } from '../src/main/system.ts';
import { createLogger } from '../src/platform/log.ts';
import { freePort } from '../src/platform/pg-cluster.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = join('/tmp', `kassa-dr-${randomUUID()}`);
// Below the ephemeral range (32768+), where outgoing connections could take it first.
const embeddedPort = String(20_000 + Math.floor(Math.random() * 12_000));
const restoredClusters: string[] = [];

function kassaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KASSA_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: embeddedPort,
    PORT: '0',
    PROCESSOR_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  delete env['DATABASE_URL'];
  return { ...env, ...extra };
}

/** `npm run kassa -- …` as an operator runs it; resolves its exit code and output. */
function kassa(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', ...args],
      { cwd: root, env: kassaEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly operatorKey: string;
  readonly banner: string;
}

/** `npm start` as a new user runs it; resolves once the banner is out. */
async function start(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main/start.ts'], {
    cwd: root,
    env: kassaEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 180_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
  });
  const url = /API {8}(http:\/\/[^\s]+)\/v1/.exec(banner)?.[1];
  const operatorKey = /Bearer (op_[A-Za-z0-9_-]+)/.exec(banner)?.[1];
  assert.ok(url && operatorKey, banner);
  return { child, url, operatorKey, banner };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

/** Waits for a condition (never for a fixed time). */
async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let live: Running;
let db: pg.Client;

async function api(
  method: string,
  path: string,
  token: string,
  body?: object,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${live.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function logIn(email: string, password: string): Promise<string> {
  const res = await fetch(`${live.url}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Everything written so far is in the archive (as archive_timeout makes it within 60 s). */
async function archived(): Promise<Date> {
  const at = (await db.query<{ at: Date }>('select clock_timestamp() as at')).rows[0]!.at;
  await db.query('select pg_switch_wal()');
  await until('the WAL to be archived', async () => {
    const rows = await db.query<{ at: Date | null }>(
      'select last_archived_time as at from pg_stat_archiver',
    );
    const last = rows.rows[0]?.at;
    return last !== null && last !== undefined && last.getTime() >= at.getTime();
  });
  return at;
}

async function connectLive(): Promise<pg.Client> {
  const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as {
    postgresPassword: string;
  };
  const client = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${embeddedPort}/kassa`,
  });
  await client.connect();
  return client;
}

before(async () => {
  live = await start();
  db = await connectLive();
  // npm start takes the first full backup into both repositories in the background.
  await until('the first full backups', async () => {
    const rows = await db.query<{ n: number }>(
      "select count(*)::int as n from backup_runs where kind = 'backup' and ok and detail = 'full'",
    );
    return (rows.rows[0]?.n ?? 0) >= 2;
  });
});

after(async () => {
  for (const cluster of restoredClusters) await kassa(['restore', 'stop', '--data', cluster]);
  await db?.end().catch(() => undefined);
  if (live !== undefined && live.child.exitCode === null) await stop(live.child);
  await rm(dataDir, { recursive: true, force: true });
});

describe('backups and point-in-time restore (issue 12)', () => {
  it('npm start archives WAL and backs itself up into two encrypted repositories', async () => {
    assert.match(live.banner, /Backups {4}WAL archived continuously/);
    const settings = await db.query<{ name: string; setting: string }>(
      "select name, setting from pg_settings where name in ('archive_mode', 'archive_timeout')",
    );
    assert.deepEqual(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting])), {
      archive_mode: 'on',
      archive_timeout: '60',
    });
    const list = await kassa(['backup', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^1 +\S+F +full/m);
    assert.match(list.stdout, /^2 +\S+F +full/m);
    assert.match(list.stdout, /restorable: any moment from \S+Z to \S+Z/);
    // For a DATABASE_URL cluster: the pgBackRest file and the postgresql.conf lines to apply.
    const production = { DATABASE_URL: 'postgres://kassa@db.internal:5433/kassa' };
    const conf = await kassa(['backup', 'config', '--pg-data', '/srv/pg/15'], production);
    assert.equal(conf.code, 0, conf.stderr);
    assert.match(conf.stdout, /^\[kassa\]$/m);
    assert.match(conf.stdout, /^pg1-path=\/srv\/pg\/15$/m);
    assert.match(conf.stdout, /^pg1-port=5433$/m);
    assert.match(conf.stdout, /^repo1-cipher-type=aes-256-cbc$/m);
    const lines = await kassa(['backup', 'config', '--postgresql'], production);
    assert.match(lines.stdout, /^archive_mode = 'on'$/m);
    assert.match(lines.stdout, /^archive_timeout = '60'$/m);
    assert.match(lines.stdout, /^archive_command = 'pgbackrest .* archive-push %p'$/m);
  });

  it('restores to the second: balances and payment lists as the API gave them at T; before a wallet existed, no wallet', async () => {
    const alice = await logIn('alice@kassa.test', 'kassa-demo-password');
    const bob = await logIn('bob@kassa.test', 'kassa-demo-password');
    const merchantKey = /secret key (sk_live_\S+)/.exec(live.banner)?.[1] ?? '';
    const merchantId = /Demo merchant: .* (mer_[0-9a-z]+)/.exec(live.banner)?.[1] ?? '';
    const beforeCarol = await archived();
    const signUp = await fetch(`${live.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `carol-${randomUUID().slice(0, 8)}@kassa.test`,
        password: 'carol long password',
        name: 'Carol',
        currency: 'USD',
      }),
    });
    assert.equal(signUp.status, 201);
    const carol = (await signUp.json()) as { wallets: { id: string }[]; email: string };
    const carolWallet = carol.wallets[0]?.id ?? '';
    assert.equal(
      (
        await api('POST', '/v1/payments', alice, {
          merchant: merchantId,
          amount: 1_250,
          currency: 'USD',
        })
      ).status,
      201,
    );
    assert.equal(
      (await api('POST', '/v1/transfers', alice, { to: carol.email, amount: 500, currency: 'USD' }))
        .status,
      201,
    );
    // What the API shows at T.
    const snapshot = async (read: (path: string, token: string) => Promise<unknown>) => {
      const [aliceMe, bobMe] = await Promise.all([read('/v1/me', alice), read('/v1/me', bob)]);
      const wallets = [aliceMe, bobMe].map(
        (me) => ((me as { wallets: { id: string }[] }).wallets[0] as { id: string }).id,
      );
      return {
        me: [aliceMe, bobMe],
        history: await Promise.all(
          wallets.map((id, i) => read(`/v1/wallets/${id}/transactions`, i === 0 ? alice : bob)),
        ),
        payments: await read('/v1/payments', merchantKey),
      };
    };
    const atT = await snapshot(async (path, token) => (await api('GET', path, token)).json);
    // The next millisecond: PostgreSQL's microseconds truncated to a Date could precede the last
    // commit before T.
    const T = new Date(
      (await db.query<{ at: Date }>('select clock_timestamp() as at')).rows[0]!.at.getTime() + 1,
    );
    // After T: more money moves.
    assert.equal(
      (
        await api('POST', '/v1/payments', alice, {
          merchant: merchantId,
          amount: 2_000,
          currency: 'USD',
        })
      ).status,
      201,
    );
    assert.equal(
      (await api('POST', '/v1/transfers', bob, { to: carol.email, amount: 700, currency: 'USD' }))
        .status,
      201,
    );
    await archived();

    const port = await freePort();
    const restored = await kassa(['restore', '--to', T.toISOString(), '--port', String(port)]);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    assert.match(restored.stdout, /the live cluster was not touched/);
    const restoredUrl = /DATABASE_URL=(\S+)/.exec(restored.stdout)?.[1];
    const restoredData = /restore stop --data (\S+)/.exec(restored.stdout)?.[1];
    assert.ok(restoredUrl && restoredData, restored.stdout);
    restoredClusters.push(restoredData);
    // The runbook's check of a restored copy (anchors after its moment do not apply to it).
    const verified = await kassa(['verify'], {
      DATABASE_URL: restoredUrl,
      KASSA_JOURNAL_ANCHOR_FILE: 'off',
    });
    assert.equal(verified.code, 0, verified.stderr + verified.stdout);
    assert.match(verified.stdout, /ledger OK/);
    assert.match(verified.stdout, /journal chain OK/);

    // The same API, served from the restored database with the same secrets.
    const config = loadConfig({
      KASSA_DATA_DIR: dataDir,
      DATABASE_URL: restoredUrl,
      LOG_LEVEL: 'silent',
    });
    const system: System = await createSystem({
      config,
      databaseUrl: restoredUrl,
      secrets: await loadSecrets(config),
      logger: createLogger({ level: 'silent', name: 'restored' }),
      role: 'api',
    });
    try {
      const fromBackup = await snapshot(async (path, token) => {
        const res = await system.app.inject({
          method: 'GET',
          url: path,
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
        return res.json();
      });
      assert.deepEqual(
        fromBackup,
        atT,
        'the restored API answers exactly as the live one did at T',
      );
      const verify = await system.app.inject({
        method: 'GET',
        url: '/v1/admin/ledger/verify',
        headers: { authorization: `Bearer ${live.operatorKey}` },
      });
      assert.equal(verify.json().balanced, true, verify.body);
    } finally {
      await system.close();
    }

    // Before Carol signed up, her wallet did not exist.
    const earlierPort = await freePort();
    const earlier = await kassa([
      'restore',
      '--to',
      beforeCarol.toISOString(),
      '--port',
      String(earlierPort),
    ]);
    assert.equal(earlier.code, 0, earlier.stderr + earlier.stdout);
    const earlierData = /restore stop --data (\S+)/.exec(earlier.stdout)?.[1] ?? '';
    restoredClusters.push(earlierData);
    const copy = new pg.Client({
      connectionString: /DATABASE_URL=(\S+)/.exec(earlier.stdout)?.[1],
    });
    await copy.connect();
    try {
      const wallets = await copy.query(
        'select 1 from wallets w join users u on u.id = w.user_id where u.email = $1',
        [carol.email],
      );
      assert.equal(wallets.rowCount, 0, 'no wallet before its owner signed up');
      const demo = await copy.query("select 1 from users where email = 'alice@kassa.test'");
      assert.equal(demo.rowCount, 1, 'the earlier data is there');
    } finally {
      await copy.end();
    }
    assert.match(carolWallet, /^wal_/);
  });

  it('the drill passes and /metrics shows it; a failed backup goes to the operator, not to /readyz', async (t) => {
    // The drill's goal is stated at 50 MB or more: grow the ledger past that first, through the
    // operator's batch route (8,000 transfers and their journal events per call).
    const accounts = await Promise.all(
      [1, 2].map(async () => {
        const opened = await api('POST', '/v1/admin/ledger/accounts', live.operatorKey, {
          currency: 'USD',
          code: 'dr_volume',
        });
        assert.equal(opened.status, 201, JSON.stringify(opened.json));
        return String(opened.json['id']);
      }),
    );
    const databaseBytes = async () =>
      (await db.query<{ n: string }>('select pg_database_size(current_database())::text as n'))
        .rows[0]!.n;
    for (let batch = 0; Number(await databaseBytes()) < 52 * 1_048_576; batch += 1) {
      assert.ok(batch < 40, 'the database grows with every batch');
      const posted = await api('POST', '/v1/admin/ledger/transfers', live.operatorKey, {
        transfers: Array.from({ length: 8_000 }, () => ({
          id: encodeId('ltr', newUuid()),
          debit_account: accounts[0],
          credit_account: accounts[1],
          amount: 1,
          code: 'dr_volume',
        })),
      });
      assert.equal(posted.status, 200, JSON.stringify(posted.json).slice(0, 300));
    }
    const drill = await kassa(['dr', 'drill']);
    assert.equal(drill.code, 0, drill.stderr + drill.stdout);
    const megabytes = Number(/RTO [\d.]+ s for ([\d.]+) MB/.exec(drill.stdout)?.[1]);
    assert.ok(megabytes >= 50, `the drill restored ${megabytes} MB`);
    t.diagnostic(drill.stdout.trim().split('\n').at(-1) ?? '');
    assert.match(
      drill.stdout,
      /DRILL PASSED: .*RPO \d+ s.*RTO [\d.]+ s for [\d.]+ MB \([\d.]+ MB\/s\)/,
    );
    for (const check of [
      'repo1 ledger',
      'repo1 journal chain',
      'repo1 audit chain',
      'repo1 amcheck',
      'repo1 to the second',
      'repo1 no card number',
      'repo2 to the second',
      'repo1 encrypted',
      'repo2 encrypted',
    ])
      assert.match(drill.stderr, new RegExp(`✔ ${check}:`), check);
    const metrics = await fetch(`${live.url}/metrics`, {
      headers: { authorization: `Bearer ${live.operatorKey}` },
    });
    const text = await metrics.text();
    assert.match(text, /^kassa_dr_drill_last_result 1$/m);
    assert.match(text, /^kassa_backup_last_success_timestamp_seconds \d+/m);
    assert.match(text, /^kassa_wal_archive_lag_seconds \d+/m);

    // repo2 becomes unwritable: its backup fails, the operator is told, the node stays ready.
    const repo2 = join(dataDir, 'backup', 'repo2');
    await chmod(repo2, 0o000);
    try {
      const failed = await kassa(['backup', '--repo', '2']);
      assert.equal(failed.code, 1, failed.stdout);
      // Progress lines, then one line that names the repository and what is wrong.
      const errors = failed.stderr.split('\n').filter((line) => line.startsWith('kassa '));
      assert.equal(errors.length, 1, failed.stderr);
      assert.match(errors[0] ?? '', /repo2 .*permission denied/, failed.stderr);
      const ready = await fetch(`${live.url}/readyz`);
      assert.equal(ready.status, 200);
      const feed = await api('GET', '/v1/notifications', live.operatorKey);
      const types = (feed.json['data'] as { type: string }[]).map((n) => n.type);
      assert.ok(types.includes('backup_failed'), JSON.stringify(feed.json));
    } finally {
      await chmod(repo2, 0o700);
    }
    const again = await kassa(['backup', '--repo', '2']);
    assert.equal(again.code, 0, again.stderr);
  });

  it('bad input: a one-line error naming what to do, and nothing changed', async () => {
    const scratch = join(dataDir, 'restores');
    const before = await readdir(scratch).catch(() => []);
    const port = String(await freePort());
    const cases: { args: string[]; env?: Record<string, string>; code: number; says: RegExp }[] = [
      { args: ['restore', '--to', 'yesterday', '--port', port], code: 1, says: /RFC 3339/ },
      { args: ['restore', '--to', '2026-12-01T10:00:00', '--port', port], code: 1, says: /offset/ },
      {
        args: ['restore', '--to', '2000-01-01T00:00:00Z', '--port', port],
        code: 1,
        says: /before the oldest backup/,
      },
      {
        args: ['restore', '--to', '2999-01-01T00:00:00Z', '--port', port],
        code: 1,
        says: /after the newest archived change.*--to latest/,
      },
      {
        args: ['restore', '--to', 'latest', '--port', new URL(live.url).port],
        code: 1,
        says: /port \d+ is in use/,
      },
      { args: ['restore', '--to', 'latest'], code: 2, says: /--port is required/ },
      { args: ['restore', '--to', 'latest', '--in-place'], code: 2, says: /add --yes/ },
      {
        args: ['restore', '--to', 'latest', '--in-place', '--yes'],
        code: 1,
        says: /running.*stop it first/,
      },
      {
        args: ['restore', '--to', 'latest', '--port', port, '--repo', '7'],
        code: 2,
        says: /repositories are 1 and 2/,
      },
      { args: ['backup', '--type', 'weekly'], code: 2, says: /one of full, diff, incr/ },
      {
        args: ['backup', 'list'],
        env: { KASSA_BACKUP_CIPHER_PASS: 'not-the-key-that-wrote-it' },
        code: 1,
        says: /cipher key/,
      },
      {
        args: ['backup', 'list'],
        env: { BACKUP_REPO1_PATH: join(dataDir, 'empty-repo'), BACKUP_REPO2_PATH: 'off' },
        code: 1,
        says: /no backup/,
      },
    ];
    for (const c of cases) {
      const run = await kassa(c.args, c.env);
      assert.equal(run.code, c.code, `${c.args.join(' ')}: ${run.stderr}${run.stdout}`);
      assert.match(run.stderr, c.says, c.args.join(' '));
    }
    // A damaged repository: a restore from it fails with one line and leaves no cluster.
    const damaged = join(dataDir, 'damaged-repo');
    await cp(join(dataDir, 'backup', 'repo1'), damaged, { recursive: true });
    for (const info of ['backup.info', 'backup.info.copy'])
      await writeFile(join(damaged, 'backup', 'kassa', info), 'not a backup.info');
    const fromDamaged = await kassa(['restore', '--to', 'latest', '--port', port], {
      BACKUP_REPO1_PATH: damaged,
      BACKUP_REPO2_PATH: 'off',
    });
    assert.equal(fromDamaged.code, 1, fromDamaged.stderr);
    assert.equal(fromDamaged.stderr.trim().split('\n').length, 1, fromDamaged.stderr);
    // Nothing changed: no new cluster, the live one serves, its backups still list.
    assert.deepEqual(await readdir(scratch).catch(() => []), before);
    assert.equal((await fetch(`${live.url}/readyz`)).status, 200);
    assert.equal((await kassa(['backup', 'list'])).code, 0);
  });

  it('a lost primary comes back from the backups (restore --in-place), with every archived payment', async () => {
    const alice = await logIn('alice@kassa.test', 'kassa-demo-password');
    const before = (await api('GET', '/v1/me', alice)).json;
    await archived();
    await db.end();
    assert.equal(await stop(live.child), 0);
    // The disk under the database is gone.
    await rm(join(dataDir, 'pg'), { recursive: true, force: true });
    const back = await kassa(['restore', '--to', 'latest', '--in-place', '--yes']);
    assert.equal(back.code, 0, back.stderr + back.stdout);
    live = await start();
    db = await connectLive();
    const after = (await api('GET', '/v1/me', alice)).json;
    assert.deepEqual(after['wallets'], before['wallets'], 'every archived payment is back');
    const verify = await api('GET', '/v1/admin/ledger/verify', live.operatorKey);
    assert.equal(verify.json['balanced'], true);
    // It carries on: money moves and is archived on the new timeline.
    const merchantId = /Demo merchant: .* (mer_[0-9a-z]+)/.exec(live.banner)?.[1] ?? '';
    const paid = await api(
      'POST',
      '/v1/payments',
      await logIn('alice@kassa.test', 'kassa-demo-password'),
      {
        merchant: merchantId,
        amount: 100,
        currency: 'USD',
      },
    );
    assert.equal(paid.status, 201, JSON.stringify(paid.json));
    await archived();
  });
});
