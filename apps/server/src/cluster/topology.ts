import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSettings } from '../config/config.ts';

/**
 * Where everything of `npm run cluster` listens, from one base port, and what it writes to
 * `cluster.json`: the load balancer's URL, the operator key and every process with its pid —
 * what operators, the chaos battery and scripts read.
 */
export interface ClusterPorts {
  /** HAProxy: the API, as clients reach it. */
  readonly api: number;
  /** HAProxy: the PostgreSQL primary, wherever it is now. */
  readonly postgres: number;
  /** HAProxy's statistics page. */
  readonly stats: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
  /** PostgreSQL and Patroni's REST API of node n (1-based). */
  readonly postgresNode: (n: number) => number;
  readonly patroniNode: (n: number) => number;
  /** API process in slot n (1-based). */
  readonly apiSlot: (n: number) => number;
  readonly processor: number;
}

export const databaseNodes = 2;
export const apiSlotsMax = 8;

export function clusterPorts(base: number): ClusterPorts {
  return {
    api: base,
    postgres: base + 1,
    stats: base + 2,
    etcdClient: base + 3,
    etcdPeer: base + 4,
    postgresNode: (n) => base + 10 + n,
    patroniNode: (n) => base + 20 + n,
    apiSlot: (n) => base + 30 + n,
    processor: base + 40,
  };
}

/** Every port with what it is for (a port in use is reported by its role). */
export function everyPort(settings: ClusterSettings): { port: number; role: string }[] {
  const ports = clusterPorts(settings.portBase);
  return [
    { port: ports.api, role: 'the load balancer (API)' },
    { port: ports.postgres, role: 'the load balancer (PostgreSQL)' },
    { port: ports.stats, role: "HAProxy's statistics" },
    { port: ports.etcdClient, role: 'etcd' },
    { port: ports.etcdPeer, role: 'etcd (peers)' },
    ...Array.from({ length: databaseNodes }, (_, i) => [
      { port: ports.postgresNode(i + 1), role: `PostgreSQL node ${i + 1}` },
      { port: ports.patroniNode(i + 1), role: `Patroni node ${i + 1}` },
    ]).flat(),
    ...Array.from({ length: apiSlotsMax }, (_, i) => ({
      port: ports.apiSlot(i + 1),
      role: `API process ${i + 1}`,
    })),
    { port: ports.processor, role: 'the processor stand-in' },
  ];
}

export type ProcessKind = 'api' | 'worker' | 'patroni' | 'etcd' | 'haproxy' | 'processor';

export interface ClusterProcess {
  readonly name: string;
  readonly kind: ProcessKind;
  readonly pid: number | null;
  readonly port?: number;
  readonly url?: string;
  readonly log: string;
  /** Patroni nodes: their PostgreSQL. */
  readonly postgres?: {
    readonly pid: number | null;
    readonly port: number;
    readonly dataDir: string;
    readonly role: 'primary' | 'standby' | 'unknown';
  };
  /** API processes: in the load balancer, draining, or out. */
  readonly state?: 'starting' | 'ready' | 'draining' | 'stopped';
}

export interface Topology {
  readonly status: 'starting' | 'ready' | 'stopping' | 'failed';
  readonly error?: string;
  readonly updatedAt: string;
  readonly dir: string;
  readonly supervisorPid: number;
  readonly apiUrl: string;
  readonly statsUrl: string;
  /** Through the load balancer: always the current primary. */
  readonly databaseUrl: string;
  readonly operatorKey: string;
  readonly syncStrict: boolean;
  readonly processes: readonly ClusterProcess[];
}

export function topologyFile(dir: string): string {
  return join(dir, 'cluster.json');
}

export function readTopology(dir: string): Topology | null {
  const file = topologyFile(dir);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as Topology;
}

/** Written whole and renamed into place: a reader never sees half a file. */
export function writeTopology(topology: Topology): void {
  const file = topologyFile(topology.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(topology, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** True when a process with this pid exists. */
export function alive(pid: number | null | undefined): boolean {
  if (pid === null || pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
