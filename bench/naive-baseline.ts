import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The best naive PostgreSQL design for a P2P payment, the baseline every scenario is divided
 * by: one stored-function call per transfer (insert with a unique idempotency key, both balance
 * updates, a CHECK that no balance goes negative), one durable transaction per payment, many
 * clients so PostgreSQL shares WAL flushes between their commits. No journal, no outbox, no
 * authentication: what a service that only moves balances would do.
 */
export async function installNaiveBaseline(databaseUrl: string, accounts: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`
      create table naive_accounts (
        id integer primary key,
        balance bigint not null check (balance >= 0)
      );
      create table naive_transfers (
        idempotency_key text primary key,
        debit_account integer not null,
        credit_account integer not null,
        amount bigint not null check (amount > 0),
        created_at timestamptz not null default now()
      );
      create function naive_transfer(p_key text, p_from integer, p_to integer, p_amount bigint)
      returns boolean language plpgsql as $$
      begin
        insert into naive_transfers (idempotency_key, debit_account, credit_account, amount)
          values (p_key, p_from, p_to, p_amount) on conflict do nothing;
        if not found then return false; end if; -- a retry: done once already
        -- One statement for both rows: they are locked in index order, so two opposite
        -- transfers cannot deadlock.
        update naive_accounts
           set balance = balance + case when id = p_from then -p_amount else p_amount end
         where id in (p_from, p_to);
        return true;
      end $$;`);
    await client.query(
      'insert into naive_accounts (id, balance) select n, 1000000000000 from generate_series(0, $1::int) as n',
      [accounts],
    );
    await client.query('analyze naive_accounts');
  } finally {
    await client.end();
  }
}

function script(hot: boolean): string {
  return `\\set a random(1, :naccounts)
\\set b ${hot ? '0' : '1 + (:a % :naccounts)'}
\\set k random(1, 1000000000000)
SELECT naive_transfer('n' || :client_id || '-' || :k, :a, :b, 1);
`;
}

export interface PgbenchResult {
  readonly tps: number;
  readonly latencyMs: number;
}

/** Runs the naive transfer under pgbench; null when pgbench is missing or fails (says why). */
export function runNaiveBaseline(options: {
  databaseUrl: string;
  accounts: number;
  clients: number;
  seconds: number;
  hot: boolean;
  log: (line: string) => void;
}): PgbenchResult | null {
  if (spawnSync('pgbench', ['--version']).status !== 0) {
    options.log('pgbench is missing (Debian postgresql-client): no naive baseline');
    return null;
  }
  const file = join(tmpdir(), `kassa-naive-${options.hot ? 'hot' : 'p2p'}.sql`);
  writeFileSync(file, script(options.hot));
  try {
    const out = execFileSync(
      'pgbench',
      [
        '-n',
        '-c',
        String(options.clients),
        '-j',
        '2',
        '-T',
        String(options.seconds),
        '-f',
        file,
        '-D',
        `naccounts=${options.accounts}`,
        options.databaseUrl,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return {
      tps: Math.round(Number(/tps = ([0-9.]+)/.exec(out)?.[1] ?? 0)),
      latencyMs: Number(/latency average = ([0-9.]+) ms/.exec(out)?.[1] ?? 0),
    };
  } catch (error) {
    options.log(
      `pgbench failed: ${String((error as { stderr?: string }).stderr ?? error).slice(0, 500)}`,
    );
    return null;
  }
}
