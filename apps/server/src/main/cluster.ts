/**
 * `npm run cluster` — the replicated, load-balanced topology on this machine:
 *   npm run cluster            start it (in the background) and print every URL
 *   npm run cluster -- status  every process, its pid and role
 *   npm run cluster -- down    stop everything it started
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnvironment, loadConfig, type Config } from '../config/config.ts';
import { alive, everyPort, readTopology, type Topology } from '../cluster/index.ts';
import { portFree } from '../platform/pg-cluster.ts';
import { runMain } from './process-lifecycle.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const say = (line: string) => process.stdout.write(`${line}\n`);
const usage = 'usage: npm run cluster [-- up|status|down]';

class ClusterCommandError extends Error {}

async function up(config: Config): Promise<void> {
  const dir = config.cluster.dir;
  const running = readTopology(dir);
  if (running !== null && alive(running.supervisorPid)) {
    say(`the cluster is already running (supervisor pid ${running.supervisorPid})`);
    printTopology(running);
    return;
  }
  const installed = spawnSync('bash', [join(root, 'scripts', 'ensure-cluster-packages.sh')], {
    stdio: 'inherit',
  });
  if (installed.status !== 0)
    throw new ClusterCommandError(
      'could not install the Debian packages the cluster needs (above)',
    );
  for (const { port, role } of everyPort(config.cluster))
    if (!(await portFree(port)))
      throw new ClusterCommandError(
        `port ${port} (${role}) is in use: stop what uses it, or set CLUSTER_PORT_BASE to another base (now ${config.cluster.portBase})`,
      );
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const logFile = join(dir, 'logs', 'supervisor.log');
  // The log keeps earlier runs: show only what this one writes.
  const earlierLines = existsSync(logFile)
    ? readFileSync(logFile, 'utf8').split('\n').length - 1
    : 0;
  const log = openSync(logFile, 'a');
  const supervisor = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps/server/src/main/cluster-supervisor.ts')],
    { cwd: root, env: childEnvironment(), detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  supervisor.unref();
  say(`starting the cluster in ${dir} (log: ${logFile})…`);
  const deadline = performance.now() + 600_000;
  let shown = earlierLines;
  for (;;) {
    await sleep(500);
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
    for (const line of lines.slice(shown, -1)) say(`  ${line.replace(/^\S+ /, '')}`);
    shown = Math.max(shown, lines.length - 1);
    const topology = readTopology(dir);
    const ours = topology !== null && topology.supervisorPid === supervisor.pid;
    if (ours && topology.status === 'ready') {
      printTopology(topology);
      return;
    }
    if (ours && topology.status === 'failed')
      throw new ClusterCommandError(
        `the cluster did not start: ${topology.error ?? 'see the log'}`,
      );
    if (!alive(supervisor.pid))
      throw new ClusterCommandError(`the cluster supervisor exited: see ${logFile}`);
    if (performance.now() > deadline)
      throw new ClusterCommandError(`the cluster did not start within 10 minutes: see ${logFile}`);
  }
}

function printTopology(topology: Topology): void {
  say('');
  say(`Kassa cluster (${topology.status})`);
  say(`  API (load balancer)   ${topology.apiUrl}/v1   docs ${topology.apiUrl}/docs`);
  say(`  HAProxy statistics    ${topology.statsUrl}`);
  say(`  PostgreSQL (primary)  ${topology.databaseUrl.replace(/:[^:@/]+@/, ':…@')}`);
  say(`  Operator key          Bearer ${topology.operatorKey}`);
  say(
    `  If the standby fails  ${topology.syncStrict ? 'commits wait for it (CLUSTER_SYNC_STRICT=true)' : 'the primary goes on alone until it is back (CLUSTER_SYNC_STRICT=false)'}`,
  );
  say('');
  for (const p of topology.processes) {
    const extra =
      p.postgres !== undefined
        ? `PostgreSQL ${p.postgres.role} on ${p.postgres.port} (pid ${p.postgres.pid ?? '-'}, ${p.postgres.dataDir})`
        : (p.state ?? '');
    say(
      `  ${p.name.padEnd(10)} pid ${String(p.pid ?? '-').padEnd(8)} ${p.url ?? ''} ${extra}`.trimEnd(),
    );
  }
  say('');
  say(`  everything above: ${join(topology.dir, 'cluster.json')}`);
  say('  npm run cluster -- down   stops it all');
}

async function down(config: Config): Promise<void> {
  const topology = readTopology(config.cluster.dir);
  if (topology === null) {
    say('no cluster here (nothing to stop)');
    return;
  }
  if (alive(topology.supervisorPid)) {
    say('stopping: API processes drain, then workers, the processor, HAProxy, PostgreSQL, etcd…');
    process.kill(topology.supervisorPid, 'SIGTERM');
    const deadline = performance.now() + 120_000;
    while (alive(topology.supervisorPid) && performance.now() < deadline) await sleep(200);
  }
  // Whatever survived (a supervisor killed with -9, a stuck process): stopped by pid.
  const left = [
    topology.supervisorPid,
    ...topology.processes.flatMap((p) => [p.pid, p.postgres?.pid ?? null]),
  ].filter((pid): pid is number => alive(pid));
  for (const pid of left) process.kill(pid, 'SIGKILL');
  say(left.length === 0 ? 'stopped' : `stopped (${left.length} processes killed)`);
}

/** Exit 0 when the cluster runs, 3 when it does not (as `systemctl status` does). */
function status(config: Config): number {
  const topology = readTopology(config.cluster.dir);
  if (topology === null) {
    say('no cluster here: npm run cluster starts one');
    return 3;
  }
  if (!alive(topology.supervisorPid)) {
    say(`the cluster in ${topology.dir} is not running (npm run cluster starts it)`);
    return 3;
  }
  printTopology(topology);
  return topology.status === 'ready' ? 0 : 3;
}

await runMain('kassa-cluster', async () => {
  const config = loadConfig();
  const [command = 'up', ...rest] = process.argv.slice(2);
  if (rest.length > 0 || !['up', 'down', 'status', '--help'].includes(command)) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  try {
    if (command === '--help') say(usage);
    else if (command === 'up') await up(config);
    else if (command === 'down') await down(config);
    else process.exit(status(config));
  } catch (error) {
    if (!(error instanceof ClusterCommandError)) throw error;
    process.stderr.write(`kassa cluster: ${error.message}\n`);
    process.exit(1);
  }
});
