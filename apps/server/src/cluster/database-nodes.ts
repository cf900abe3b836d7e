import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ownedFolder, ownedSecretFile } from '../platform/pg-cluster.ts';
import { patroniConfig } from './domain/patroni-config.ts';
import { httpStatus, managedProcess, waitFor, type ManagedProcess } from './managed-process.ts';
import { databaseNodes, type ClusterPorts } from './topology.ts';

/**
 * The replicated PostgreSQL of `npm run cluster`: a one-member etcd (Patroni's consensus store)
 * and two Patroni-managed PostgreSQL nodes, a primary and its synchronous standby.
 */
export interface DatabaseNodes {
  readonly etcd: ManagedProcess;
  readonly nodes: readonly PatroniNodeProcess[];
  readonly superuserPassword: string;
}

export interface PatroniNodeProcess {
  readonly n: number;
  readonly process: ManagedProcess;
  readonly dataDir: string;
  readonly postgresPort: number;
  readonly restPort: number;
}

export interface Member {
  readonly name: string;
  readonly role: string;
  readonly state: string;
  readonly port: number;
  readonly lag?: number | string;
}

const debianBinDir = '/usr/lib/postgresql/15/bin';

export async function databaseNodesIn(options: {
  dir: string;
  ports: ClusterPorts;
  passwords: { superuser: string; replication: string };
  syncStrict: boolean;
  binDir?: string;
  cwd: string;
  inherited: NodeJS.ProcessEnv;
}): Promise<DatabaseNodes> {
  const { dir, ports } = options;
  const logs = join(dir, 'logs');
  await ownedFolder(join(dir, 'etcd'));
  const etcd = managedProcess({
    name: 'etcd',
    command: 'etcd',
    args: [
      '--name=kassa-etcd',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=kassa-etcd=http://127.0.0.1:${ports.etcdPeer}`,
      '--heartbeat-interval=100',
      '--election-timeout=500',
      '--log-level=warn',
    ],
    env: { PATH: options.inherited['PATH'] ?? '/usr/bin:/bin' },
    logFile: join(logs, 'etcd.log'),
    cwd: options.cwd,
    asPostgres: true,
  });
  const nodes: PatroniNodeProcess[] = [];
  for (let n = 1; n <= databaseNodes; n += 1) {
    const nodeDir = join(dir, `pg${n}`);
    const dataDir = join(nodeDir, 'data');
    await ownedFolder(nodeDir);
    const configFile = join(nodeDir, 'patroni.yml');
    await ownedSecretFile(
      configFile,
      patroniConfig({
        name: `pg${n}`,
        scope: 'kassa',
        dataDir,
        postgresPort: ports.postgresNode(n),
        restPort: ports.patroniNode(n),
        etcdPort: ports.etcdClient,
        binDir: options.binDir ?? debianBinDir,
        socketDir: nodeDir,
        superuserPassword: options.passwords.superuser,
        replicationPassword: options.passwords.replication,
        pgpassFile: join(nodeDir, 'pgpass'),
        syncStrict: options.syncStrict,
      }),
    );
    nodes.push({
      n,
      dataDir,
      postgresPort: ports.postgresNode(n),
      restPort: ports.patroniNode(n),
      process: managedProcess({
        name: `pg${n}`,
        command: 'patroni',
        args: [configFile],
        env: { PATH: options.inherited['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
        logFile: join(logs, `pg${n}.log`),
        cwd: nodeDir,
        asPostgres: true,
        graceSeconds: 30,
      }),
    });
  }
  return { etcd, nodes, superuserPassword: options.passwords.superuser };
}

/** Starts etcd, then the nodes; resolves when a primary takes writes. */
export async function startDatabase(db: DatabaseNodes, ports: ClusterPorts): Promise<void> {
  await db.etcd.start();
  await waitFor(
    'etcd',
    async () => (await httpStatus(`http://127.0.0.1:${ports.etcdClient}/health`)) === 200,
  );
  const [first, ...rest] = db.nodes;
  if (first === undefined) throw new Error('no database node');
  // The first node bootstraps (initdb) alone; the others then copy it.
  await first.process.start();
  await waitFor(
    'the first PostgreSQL node to lead',
    async () => (await leader(db)) !== null,
    180_000,
  );
  for (const node of rest) await node.process.start();
  // Ready means RPO 0: an acknowledged commit is on two nodes from the first payment on.
  await waitFor(
    'a synchronous standby',
    async () => hasSynchronousStandby(await members(db)),
    300_000,
  );
}

/** Members as Patroni sees them (from any node that answers). */
export function members(db: DatabaseNodes): Promise<readonly Member[]> {
  return membersAt(db.nodes.map((node) => `http://127.0.0.1:${node.restPort}`));
}

/** Members as the first of these Patroni REST APIs that answers sees them ([] if none does). */
export async function membersAt(restUrls: readonly string[]): Promise<readonly Member[]> {
  for (const url of restUrls) {
    try {
      const res = await fetch(`${url}/cluster`, { signal: AbortSignal.timeout(1_000) });
      if (!res.ok) continue;
      const body = (await res.json()) as { members?: Member[] };
      return body.members ?? [];
    } catch {
      // Try the next node.
    }
  }
  return [];
}

/** The node that takes writes now, or null. */
export async function leader(db: DatabaseNodes): Promise<PatroniNodeProcess | null> {
  for (const node of db.nodes)
    if ((await httpStatus(`http://127.0.0.1:${node.restPort}/primary`)) === 200) return node;
  return null;
}

/** True when a synchronous standby streams from the primary (acknowledged commits are on two nodes). */
export function hasSynchronousStandby(all: readonly Member[]): boolean {
  return all.some(
    (m) => m.role === 'sync_standby' && (m.state === 'streaming' || m.state === 'running'),
  );
}

/** The postmaster's pid of a node, from its data folder (null when it is not running). */
export function postgresPid(dataDir: string): number | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Creates Kassa's database on the primary (through the load balancer) when missing. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}
