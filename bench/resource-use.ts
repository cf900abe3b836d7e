import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

/**
 * What one payment costs, from counters taken before and after a scenario: PostgreSQL's CPU
 * (every `postgres` process in /proc, background writers included), the rows and index entries
 * it wrote (pg_stat_user_tables; an update that is not HOT writes one entry per index), and
 * the WAL it generated (LSN distance).
 */
export interface ResourceSnapshot {
  readonly postgresCpuSeconds: number;
  readonly walLsn: string;
  readonly tables: ReadonlyMap<string, TableCounters>;
}

interface TableCounters {
  readonly inserted: number;
  readonly updated: number;
  readonly hotUpdated: number;
  readonly indexes: number;
}

export interface PerPayment {
  readonly postgresCpuMs: number;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly indexEntries: number;
  readonly walBytes: number;
  /** Rows inserted per payment, by table (the biggest first). */
  readonly byTable: readonly { table: string; inserted: number; indexEntries: number }[];
}

interface PostgresProcess {
  readonly pid: string;
  readonly parent: string;
  /** Its own user + system time, in clock ticks. */
  readonly own: number;
  /** That of its children it has reaped. */
  readonly reaped: number;
}

function postgresProcesses(): PostgresProcess[] {
  const found: PostgresProcess[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat
      .slice(close + 2)
      .split(' ')
      .map(Number);
    found.push({
      pid,
      parent: String(fields[1]),
      own: (fields[11] ?? 0) + (fields[12] ?? 0),
      reaped: (fields[13] ?? 0) + (fields[14] ?? 0),
    });
  }
  return found;
}

/**
 * CPU time (user + system) of every process named `postgres` on this machine, in seconds,
 * including backends that have exited: the postmaster reaps them, and their time is added to
 * its children's counters (cutime, cstime), counted here for the postmaster.
 */
export function postgresCpuSeconds(): number {
  const processes = postgresProcesses();
  const pids = new Set(processes.map((p) => p.pid));
  let ticks = 0;
  for (const p of processes) ticks += p.own + (pids.has(p.parent) ? 0 : p.reaped);
  return ticks / 100;
}

export async function snapshot(client: pg.ClientBase): Promise<ResourceSnapshot> {
  const cpu = postgresCpuSeconds();
  const rows = await client.query<{
    relname: string;
    ins: string;
    upd: string;
    hot: string;
    indexes: number;
    lsn: string;
  }>(
    `select t.relname, t.n_tup_ins::text as ins, t.n_tup_upd::text as upd,
            t.n_tup_hot_upd::text as hot,
            (select count(*) from pg_index i where i.indrelid = t.relid)::int as indexes,
            pg_current_wal_lsn()::text as lsn
       from pg_stat_user_tables t`,
  );
  return {
    postgresCpuSeconds: cpu,
    walLsn: rows.rows[0]?.lsn ?? '0/0',
    tables: new Map(
      rows.rows.map((r) => [
        r.relname,
        {
          inserted: Number(r.ins),
          updated: Number(r.upd),
          hotUpdated: Number(r.hot),
          indexes: r.indexes,
        },
      ]),
    ),
  };
}

/**
 * Backends report their table counters at most once a second, and an idle one only after 10 s:
 * waits until the counters show every payment row (so the scenario's writes are all counted),
 * at most 15 s.
 */
export async function settledSnapshot(client: pg.ClientBase): Promise<ResourceSnapshot> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const seen = await client.query<{ counted: string; stored: string }>(
      `select (select n_tup_ins from pg_stat_user_tables where relname = 'payments')::text as counted,
              (select count(*) from payments)::text as stored`,
    );
    const row = seen.rows[0];
    if (Number(row?.counted) >= Number(row?.stored) || performance.now() > deadline) break;
    await sleep(250);
  }
  return snapshot(client);
}

export async function perPayment(
  client: pg.ClientBase,
  before: ResourceSnapshot,
  after: ResourceSnapshot,
  payments: number,
): Promise<PerPayment> {
  const wal = await client.query<{ bytes: string }>(
    'select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text as bytes',
    [after.walLsn, before.walLsn],
  );
  let inserted = 0;
  let updated = 0;
  let entries = 0;
  const byTable: { table: string; inserted: number; indexEntries: number }[] = [];
  for (const [table, end] of after.tables) {
    const start = before.tables.get(table) ?? { inserted: 0, updated: 0, hotUpdated: 0 };
    const ins = end.inserted - start.inserted;
    const upd = end.updated - start.updated;
    const coldUpdates = upd - (end.hotUpdated - start.hotUpdated);
    const tableEntries = (ins + coldUpdates) * end.indexes;
    inserted += ins;
    updated += upd;
    entries += tableEntries;
    if (ins > 0 || tableEntries > 0)
      byTable.push({
        table,
        inserted: ins / payments,
        indexEntries: tableEntries / payments,
      });
  }
  byTable.sort((a, b) => b.indexEntries - a.indexEntries);
  return {
    postgresCpuMs: ((after.postgresCpuSeconds - before.postgresCpuSeconds) * 1000) / payments,
    rowsInserted: inserted / payments,
    rowsUpdated: updated / payments,
    indexEntries: entries / payments,
    walBytes: Number(wal.rows[0]?.bytes ?? 0) / payments,
    byTable,
  };
}
