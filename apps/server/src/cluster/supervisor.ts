import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnvironment, type Config } from '../config/config.ts';
import type { Secrets } from '../main/secrets.ts';
import {
  apiProcess,
  haproxyProcess,
  processorProcess,
  workerProcess,
  type AppEnvironment,
} from './app-processes.ts';
import { createAutoscaler, type Autoscaler } from './autoscaler.ts';
import {
  databaseNodesIn,
  ensureDatabase,
  members,
  postgresPid,
  startDatabase,
  type DatabaseNodes,
} from './database-nodes.ts';
import { haproxyConfig } from './domain/haproxy-config.ts';
import { apiSlotSessions, disableApiSlot, drainApiSlot, enableApiSlot } from './haproxy-runtime.ts';
import { httpStatus, waitFor, type ManagedProcess } from './managed-process.ts';
import {
  apiSlotsMax,
  clusterPorts,
  writeTopology,
  type ClusterProcess,
  type Topology,
} from './topology.ts';

interface ApiSlot {
  readonly slot: number;
  readonly process: ManagedProcess;
  state: 'starting' | 'ready' | 'draining' | 'stopped';
}

/**
 * The long-running side of `npm run cluster`: starts the topology, keeps every process running
 * (a service manager's restart), scales the API tier, and keeps `cluster.json` current. SIGTERM
 * (`npm run cluster -- down`) stops it all, API processes drained first.
 */
export async function runSupervisor(options: {
  config: Config;
  secrets: Secrets;
  root: string;
  say: (line: string) => void;
}): Promise<void> {
  const { config, secrets, root, say } = options;
  const settings = config.cluster;
  const dir = settings.dir;
  const ports = clusterPorts(settings.portBase);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const passwords = databasePasswords(dir);
  const databaseUrl = `postgres://postgres:${encodeURIComponent(passwords.superuser)}@127.0.0.1:${ports.postgres}/kassa`;
  const app: AppEnvironment = {
    root,
    dir,
    ports,
    databaseUrl,
    secrets,
    inherited: childEnvironment(),
  };
  const socket = join(dir, 'haproxy.sock');
  const haproxyFile = join(dir, 'haproxy.cfg');
  const slots = new Map<number, ApiSlot>();
  const workers: ManagedProcess[] = [];
  let status: Topology['status'] = 'starting';
  let failure: string | undefined;
  let db: DatabaseNodes | undefined;
  let haproxy: ManagedProcess | undefined;
  let processor: ManagedProcess | undefined;
  let autoscaler: Autoscaler | undefined;
  let stopping = false;

  async function publish(): Promise<void> {
    const list: ClusterProcess[] = [];
    if (db !== undefined) {
      list.push({
        name: 'etcd',
        kind: 'etcd',
        pid: db.etcd.pid(),
        port: ports.etcdClient,
        log: logOf('etcd'),
      });
      const roles = new Map((await members(db)).map((m) => [m.name, m.role]));
      for (const node of db.nodes) {
        const role = roles.get(`pg${node.n}`);
        list.push({
          name: `pg${node.n}`,
          kind: 'patroni',
          pid: node.process.pid(),
          port: node.restPort,
          url: `http://127.0.0.1:${node.restPort}`,
          log: logOf(`pg${node.n}`),
          postgres: {
            pid: postgresPid(node.dataDir),
            port: node.postgresPort,
            dataDir: node.dataDir,
            role: role === 'leader' ? 'primary' : role === undefined ? 'unknown' : 'standby',
          },
        });
      }
    }
    if (haproxy !== undefined)
      list.push({
        name: 'haproxy',
        kind: 'haproxy',
        pid: haproxy.pid(),
        port: ports.api,
        url: `http://127.0.0.1:${ports.api}`,
        log: logOf('haproxy'),
      });
    if (processor !== undefined)
      list.push({
        name: 'processor',
        kind: 'processor',
        pid: processor.pid(),
        port: ports.processor,
        url: `http://127.0.0.1:${ports.processor}`,
        log: logOf('processor'),
      });
    for (const slot of [...slots.values()].sort((a, b) => a.slot - b.slot))
      list.push({
        name: `api-${slot.slot}`,
        kind: 'api',
        pid: slot.process.pid(),
        port: ports.apiSlot(slot.slot),
        url: `http://127.0.0.1:${ports.apiSlot(slot.slot)}`,
        log: logOf(`api-${slot.slot}`),
        state: slot.state,
      });
    workers.forEach((w, i) =>
      list.push({
        name: `worker-${i + 1}`,
        kind: 'worker',
        pid: w.pid(),
        log: logOf(`worker-${i + 1}`),
      }),
    );
    writeTopology({
      status,
      ...(failure === undefined ? {} : { error: failure }),
      updatedAt: new Date().toISOString(),
      dir,
      supervisorPid: process.pid,
      apiUrl: `http://127.0.0.1:${ports.api}`,
      statsUrl: `http://127.0.0.1:${ports.stats}/`,
      databaseUrl,
      operatorKey: secrets.operatorKey,
      syncStrict: settings.syncStrict,
      processes: list,
    });
  }

  /** Every exit is in the supervisor's log; a wanted process is restarted by managedProcess. */
  function watched(managed: ManagedProcess): ManagedProcess {
    managed.onExit((code, signal) => {
      if (!stopping && status !== 'stopping')
        say(`${managed.name} exited (${signal ?? `code ${code}`}): restarting it`);
    });
    return managed;
  }

  function logOf(name: string): string {
    return join(dir, 'logs', `${name}.log`);
  }

  async function addApi(slot: number): Promise<void> {
    const entry: ApiSlot = { slot, process: watched(apiProcess(app, slot)), state: 'starting' };
    slots.set(slot, entry);
    await entry.process.start();
    await waitFor(
      `API process ${slot}`,
      async () => (await httpStatus(`http://127.0.0.1:${ports.apiSlot(slot)}/readyz`)) === 200,
      180_000,
    );
    await enableApiSlot(socket, slot, ports.apiSlot(slot));
    entry.state = 'ready';
    say(`API process ${slot} is in the load balancer`);
  }

  /** Out of the load balancer first; the process stops once its requests are done. */
  async function removeApi(slot: number): Promise<void> {
    const entry = slots.get(slot);
    if (entry === undefined) return;
    entry.state = 'draining';
    await drainApiSlot(socket, slot).catch(() => undefined);
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && (await apiSlotSessions(socket, slot).catch(() => 0)) > 0)
      await sleep(100);
    await entry.process.stop();
    await disableApiSlot(socket, slot).catch(() => undefined);
    entry.state = 'stopped';
    slots.delete(slot);
    say(`API process ${slot} drained and stopped`);
  }

  async function stopAll(): Promise<void> {
    status = 'stopping';
    await publish().catch(() => undefined);
    await Promise.all([...slots.keys()].map((slot) => removeApi(slot)));
    await Promise.all(workers.map((w) => w.stop()));
    await processor?.stop();
    await haproxy?.stop();
    // The standby first: the primary then stops without waiting on it.
    if (db !== undefined) {
      const roles = new Map((await members(db)).map((m) => [m.name, m.role]));
      const ordered = [...db.nodes].sort(
        (a, b) =>
          Number(roles.get(`pg${a.n}`) === 'leader') - Number(roles.get(`pg${b.n}`) === 'leader'),
      );
      for (const node of ordered) await node.process.stop();
      await db.etcd.stop();
    }
  }

  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    autoscaler?.stop();
    void stopAll().then(
      () => process.exit(0),
      (error: unknown) => {
        say(`stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });

  try {
    say('starting etcd and PostgreSQL (Patroni: a primary and a synchronous standby)…');
    db = await databaseNodesIn({
      dir,
      ports,
      passwords,
      syncStrict: settings.syncStrict,
      cwd: root,
      inherited: app.inherited,
    });
    for (const managed of [db.etcd, ...db.nodes.map((n) => n.process)]) watched(managed);
    await startDatabase(db, ports);
    await publish();
    writeFileSync(
      haproxyFile,
      haproxyConfig({
        apiPort: ports.api,
        postgresPort: ports.postgres,
        statsPort: ports.stats,
        socket,
        apiSlots: Array.from({ length: apiSlotsMax }, (_, i) => ports.apiSlot(i + 1)),
        databaseNodes: db.nodes.map((n) => ({ postgres: n.postgresPort, patroni: n.restPort })),
      }),
    );
    say('starting HAProxy…');
    haproxy = watched(haproxyProcess(app, haproxyFile));
    await haproxy.start();
    const adminUrl = databaseUrl.replace(/\/kassa$/, '/postgres');
    await waitFor('the primary through HAProxy', async () => {
      await ensureDatabase(adminUrl, 'kassa');
      return true;
    });
    processor = watched(processorProcess(app));
    await processor.start();
    say('starting the API processes (the first applies migrations)…');
    await addApi(1);
    await Promise.all(Array.from({ length: settings.apiMin - 1 }, (_, i) => addApi(i + 2)));
    for (let n = 1; n <= settings.workers; n += 1) {
      const worker = watched(workerProcess(app, n));
      workers.push(worker);
      await worker.start();
    }
    autoscaler = createAutoscaler({
      settings,
      operatorKey: secrets.operatorKey,
      slots: () =>
        [...slots.values()]
          .filter((s) => s.state === 'ready')
          .map((s) => ({ slot: s.slot, port: ports.apiSlot(s.slot) })),
      busy: () => [...slots.values()].some((s) => s.state !== 'ready'),
      scaleUp: async () => {
        const free = Array.from({ length: apiSlotsMax }, (_, i) => i + 1).find(
          (n) => !slots.has(n),
        );
        if (free !== undefined) await addApi(free);
      },
      scaleDown: async () => {
        const newest = Math.max(...slots.keys());
        await removeApi(newest);
      },
      say,
    });
    status = 'ready';
    await publish();
    say('cluster ready');
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    status = 'failed';
    await publish().catch(() => undefined);
    say(`cluster failed to start: ${failure}`);
    stopping = true;
    await stopAll().catch(() => undefined);
    status = 'failed';
    await publish().catch(() => undefined);
    process.exit(1);
  }
  for (;;) {
    await sleep(1_000);
    if (stopping) continue;
    await publish().catch(() => undefined);
  }
}

/** PostgreSQL's superuser and replication passwords, generated once, kept 0600 in the folder. */
function databasePasswords(dir: string): { superuser: string; replication: string } {
  const file = join(dir, 'database-passwords.json');
  if (existsSync(file))
    return JSON.parse(readFileSync(file, 'utf8')) as { superuser: string; replication: string };
  const passwords = {
    superuser: randomBytes(24).toString('base64url'),
    replication: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(passwords), { mode: 0o600 });
  return passwords;
}
