/**
 * High availability as an operator meets it (issue 13): `npm run cluster` on this machine
 * (Patroni primary + synchronous standby, HAProxy, two API processes, two workers), the short
 * chaos battery against it (kill -9 an API process, the primary, a worker during webhook
 * fan-out: 0 lost, 0 duplicated), the elastic API tier, and the tooling's bad input.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];

function clusterEnv(dir: string, base: number, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLUSTER_DIR: dir,
    CLUSTER_PORT_BASE: String(base),
    LOG_LEVEL: 'warn',
    ...extra,
  };
  delete env['DATABASE_URL'];
  return env;
}

function run(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A base whose 50 ports are free now: 10,000–19,999, below the other tests' random ports
 * (20,000+) and the ephemeral range (32,768+) that outgoing connections take ports from.
 */
async function portBase(): Promise<number> {
  for (;;) {
    const base = 10_000 + Math.floor(Math.random() * 199) * 50;
    const free = await Promise.all(Array.from({ length: 50 }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every pid cluster.json ever named for this cluster is gone (zombies aside, none left). */
function leftovers(dir: string): number[] {
  const topology = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
    supervisorPid: number;
    processes: { pid: number | null; postgres?: { pid: number | null } }[];
  };
  return [
    topology.supervisorPid,
    ...topology.processes.flatMap((p) => [p.pid, p.postgres?.pid ?? null]),
  ].filter((pid): pid is number => alive(pid));
}

after(async () => {
  for (const dir of dirs) {
    await run('apps/server/src/main/cluster.ts', ['down'], clusterEnv(dir, 7400));
    await rm(dir, { recursive: true, force: true });
  }
});

describe('the cluster and its chaos battery (issue 13)', () => {
  it('the short battery: kill -9 an API process, the primary, a worker; a transaction left open; 0 lost, 0 duplicated; down leaves nothing', async (t) => {
    const dir = join('/tmp', `kassa-cluster-${randomUUID()}`);
    dirs.push(dir);
    const chaos = await run(
      'apps/server/src/main/chaos.ts',
      ['--short'],
      clusterEnv(dir, await portBase()),
    );
    assert.equal(chaos.code, 0, chaos.stdout + chaos.stderr);
    const rows = chaos.stdout.split('\n').filter((l) => /^\| [1257]\. /.test(l));
    assert.equal(rows.length, 8, chaos.stdout); // each row as it happens, then the table
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      // | fault | payments | ok | declined | shed | errors | lost | duplicated | gap | recovered |
      // throughput back | webhooks | check |
      assert.ok(Number(cells[3]) > 0, `payments went through: ${row}`);
      assert.equal(cells[7], '0', `lost: ${row}`);
      assert.equal(cells[8], '0', `duplicated: ${row}`);
      assert.match(cells[12] ?? '', /^0 \//, `every webhook delivered: ${row}`);
      assert.equal(cells[13], 'passed', row);
      // Fault 7 holds a transaction open for 30 s: webhooks must not wait for it to end.
      if (row.startsWith('| 7.'))
        assert.ok(
          Number((cells[12] ?? '').split('/')[2]) < 25,
          `webhooks flowed meanwhile: ${row}`,
        );
    }
    assert.match(chaos.stdout, /every fault: 0 lost, 0 duplicated/);
    for (const row of rows.slice(4)) t.diagnostic(row);
    assert.deepEqual(leftovers(dir), [], 'npm run cluster -- down left no process behind');
  });

  it('a port in use is one clear line, and nothing starts', async () => {
    const dir = join('/tmp', `kassa-cluster-${randomUUID()}`);
    dirs.push(dir);
    const base = await portBase();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(base + 1, '127.0.0.1', resolve));
    try {
      const up = await run('apps/server/src/main/cluster.ts', ['up'], clusterEnv(dir, base));
      assert.equal(up.code, 1, up.stdout);
      assert.equal(up.stderr.trim().split('\n').length, 1, up.stderr);
      assert.match(
        up.stderr,
        new RegExp(
          `port ${base + 1} \\(the load balancer \\(PostgreSQL\\)\\) is in use.*CLUSTER_PORT_BASE`,
        ),
      );
      const bad = await run('apps/server/src/main/cluster.ts', ['sideways'], clusterEnv(dir, base));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /usage: npm run cluster/);
    } finally {
      blocker.close();
    }
  });

  it('the API tier scales 1 → 2 → 1 under load through HAProxy, with 0 client errors', async () => {
    const dir = join('/tmp', `kassa-cluster-${randomUUID()}`);
    dirs.push(dir);
    const env = clusterEnv(dir, await portBase(), {
      CLUSTER_API_MIN: '1',
      CLUSTER_API_MAX: '2',
      CLUSTER_SCALE_AFTER_SECONDS: '10',
      // Event-loop utilisation alone decides here: busy under load, idle under a trickle.
      CLUSTER_SCALE_UP_ELU_PERCENT: '20',
      CLUSTER_SCALE_DOWN_ELU_PERCENT: '10',
      CLUSTER_SCALE_UP_P99_MS: '60000',
    });
    const up = await run('apps/server/src/main/cluster.ts', ['up'], env);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const topology = () =>
      JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
        apiUrl: string;
        processes: { kind: string; state?: string }[];
      };
    const apis = () =>
      topology().processes.filter((p) => p.kind === 'api' && p.state === 'ready').length;
    assert.equal(apis(), 1);
    const { apiUrl } = topology();
    const errors: string[] = [];
    let requests = 0;
    let pauseMs = 0;
    let stop = false;
    // Reads of the API's own documents: real requests through HAProxy, no data needed.
    const client = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${apiUrl}/openapi.json`, {
            signal: AbortSignal.timeout(10_000),
          });
          const body = await res.text();
          if (res.status !== 200) errors.push(`status ${res.status}: ${body.slice(0, 160)}`);
        } catch (error) {
          errors.push(String(error));
        }
        requests += 1;
        if (pauseMs > 0) await sleep(pauseMs);
      }
    };
    const until = async (what: string, probe: () => boolean) => {
      const deadline = performance.now() + 180_000;
      while (!probe()) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(250);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    try {
      await until('a second API process', () => apis() === 2);
      pauseMs = 500; // a trickle: the tier is idle
      await until('back to one API process', () => apis() === 1);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    assert.ok(requests > 100, `${requests} requests`);
    const supervisorLog = readFileSync(join(dir, 'logs', 'supervisor.log'), 'utf8');
    assert.deepEqual(
      [...new Set(errors)].map((e) => `${errors.filter((x) => x === e).length}× ${e}`),
      [],
      `no client saw an error while processes came and went; supervisor log:\n${supervisorLog}`,
    );
    assert.match(supervisorLog, /scaling up: 1 → 2/);
    assert.match(supervisorLog, /scaling down: 2 → 1/);
    const down = await run('apps/server/src/main/cluster.ts', ['down'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(dir), []);
  });
});
