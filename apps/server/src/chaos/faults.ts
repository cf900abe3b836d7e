import { execFile, execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  alive,
  hasSynchronousStandby,
  httpStatus,
  membersAt,
  readTopology,
  type ClusterProcess,
  type Topology,
} from '../cluster/index.ts';
import { runLoad, runTopups, type Bank } from './workload.ts';

/**
 * The faults of the battery, each against the running `npm run cluster` (read from its
 * cluster.json). `inject` does the damage and returns once it is done; the cluster heals itself
 * (the supervisor restarts processes, Patroni fails over); `healthy` says when it has.
 */
export interface Fault {
  readonly number: number;
  readonly name: string;
  /** Does the damage; resolves with the pids it killed (healed when none is listed any more). */
  inject(context: FaultContext): Promise<readonly number[]>;
}

export interface FaultContext {
  readonly dir: string;
  readonly bank: Bank;
  /** The battery's normal number of clients. */
  readonly concurrency: number;
  /** How long a held resource stays held (fault 7's open transaction). */
  readonly holdSeconds: number;
  /** Starts a named phase of the fault (the report breaks top-ups down by phase). */
  readonly mark: (phase: string) => void;
}

const stormSeconds = 20;

function topology(dir: string): Topology {
  const t = readTopology(dir);
  if (t === null) throw new Error(`no cluster in ${dir}: npm run cluster starts one`);
  return t;
}

function find(dir: string, match: (p: ClusterProcess) => boolean, what: string): ClusterProcess {
  const found = topology(dir).processes.find(match);
  if (found === undefined || !alive(found.pid)) throw new Error(`chaos: no running ${what}`);
  return found;
}

function kill(pid: number | null | undefined, signal: NodeJS.Signals): number[] {
  if (pid === null || pid === undefined || !alive(pid)) return [];
  process.kill(pid, signal);
  return [pid];
}

/** A PostgreSQL node as a lost machine: its backends, its postmaster and its Patroni at once. */
async function killNode(node: ClusterProcess, signal: NodeJS.Signals): Promise<number[]> {
  const postmaster = node.postgres?.pid ?? null;
  const children =
    postmaster === null
      ? []
      : execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
          .split('\n')
          .map((l) => Number(l.trim()))
          .filter((pid) => pid > 0);
  return [node.pid, postmaster, ...children].flatMap((pid) => kill(pid, signal));
}

export const faults: readonly Fault[] = [
  {
    number: 1,
    name: 'kill -9 one API process',
    async inject({ dir }) {
      return kill(
        find(dir, (p) => p.kind === 'api' && p.state === 'ready', 'API process').pid,
        'SIGKILL',
      );
    },
  },
  {
    number: 2,
    name: 'kill -9 the primary (PostgreSQL and Patroni: failover)',
    async inject({ dir }) {
      return killNode(
        find(dir, (p) => p.postgres?.role === 'primary', 'primary'),
        'SIGKILL',
      );
    },
  },
  {
    number: 3,
    name: 'the synchronous standby freezes for 15 s (SIGSTOP)',
    async inject({ dir }) {
      const standby = find(dir, (p) => p.postgres?.role === 'standby', 'standby');
      await killNode(standby, 'SIGSTOP');
      await sleep(15_000);
      await killNode(standby, 'SIGCONT');
      return [];
    },
  },
  {
    number: 4,
    name: 'a network partition between the app tier and the database for 15 s (iptables DROP)',
    async inject({ dir }) {
      const port = new URL(topology(dir).databaseUrl).port;
      // Every packet to the database's address, established connections included, is dropped:
      // queries in flight hang, new connections time out. Loopback only, this cluster's port only.
      const rule = ['OUTPUT', '-o', 'lo', '-p', 'tcp', '--dport', port, '-j', 'DROP'];
      await iptables(['-I', ...rule]);
      try {
        await sleep(15_000);
      } finally {
        await iptables(['-D', ...rule]);
      }
      return [];
    },
  },
  {
    number: 5,
    name: 'kill -9 a worker during webhook fan-out',
    async inject({ dir }) {
      return kill(find(dir, (p) => p.kind === 'worker', 'worker').pid, 'SIGKILL');
    },
  },
  {
    number: 6,
    name: 'the processor down for 20 s (SIGSTOP), then degraded for 30 s (30% errors, 20% lost replies, 5% timeouts), under top-ups',
    async inject({ dir, bank, concurrency, mark }) {
      const processor = find(dir, (p) => p.kind === 'processor', 'processor stand-in');
      const stop = new AbortController();
      const topups = runTopups(bank, Math.max(2, Math.floor(concurrency / 2)), stop.signal);
      try {
        mark('processor healthy');
        await sleep(5_000);
        mark('processor down');
        kill(processor.pid, 'SIGSTOP');
        try {
          await sleep(20_000);
        } finally {
          kill(processor.pid, 'SIGCONT');
        }
        mark('processor degraded');
        await processorFaults(processor, {
          error_rate: 0.3,
          lost_reply_rate: 0.2,
          timeout_rate: 0.05,
        });
        try {
          await sleep(30_000);
        } finally {
          await processorFaults(processor, null);
        }
        mark('processor healthy again');
        await sleep(10_000);
      } finally {
        stop.abort();
        await topups;
      }
      return [];
    },
  },
  {
    number: 7,
    name: 'a transaction left open on the primary (it holds an xid, as a report or a dump may)',
    async inject({ dir, holdSeconds }) {
      const open = new pg.Client({ connectionString: topology(dir).databaseUrl });
      await open.connect();
      try {
        await open.query('begin');
        await open.query('select pg_current_xact_id()');
        await sleep(holdSeconds * 1_000);
        await open.query('rollback');
      } finally {
        await open.end().catch(() => undefined);
      }
      return [];
    },
  },
  {
    number: 8,
    name: `a retry storm: 10× the clients for ${stormSeconds} s, retrying at once`,
    async inject({ bank, concurrency }) {
      const stop = new AbortController();
      const storm = runLoad(bank, concurrency * 10, stop.signal, { polite: false });
      await sleep(stormSeconds * 1_000);
      stop.abort();
      await storm;
      return [];
    },
  },
];

/** Switches the processor stand-in's injected faults on (or off, with null). */
async function processorFaults(processor: ClusterProcess, faults: Record<string, number> | null) {
  const res = await fetch(`${processor.url ?? ''}/admin/faults`, {
    method: faults === null ? 'DELETE' : 'POST',
    ...(faults === null
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`processor faults: HTTP ${res.status} ${await res.text()}`);
}

async function iptables(args: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile('iptables', [...args], (error, _out, stderr) =>
      error === null ? resolve() : reject(new Error(`iptables ${args.join(' ')}: ${stderr}`)),
    ),
  );
}

/** Every process of the topology is up, the API tier ready, a synchronous standby streaming. */
export async function clusterHealthy(
  dir: string,
  killed: readonly number[] = [],
): Promise<boolean> {
  const t = readTopology(dir);
  if (t === null || t.status !== 'ready') return false;
  for (const p of t.processes) if (!alive(p.pid) || killed.includes(p.pid ?? -1)) return false;
  const nodes = t.processes.filter((p) => p.kind === 'patroni');
  if (nodes.some((n) => n.postgres?.role === 'unknown')) return false;
  for (const api of t.processes.filter((p) => p.kind === 'api'))
    if ((await httpStatus(`${api.url ?? ''}/readyz`)) !== 200) return false;
  const primary = nodes.find((n) => n.postgres?.role === 'primary');
  if (primary?.url === undefined) return false;
  return hasSynchronousStandby(await membersAt([primary.url]));
}
