import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { verifyAuditLog } from '../audit/index.ts';
import { verifyJournalSeal, type JournalAnchor } from '../journal/index.ts';
import { verifyLedger } from '../ledger/index.ts';

export interface RestoreCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Proves a restored database right: the journal replays to the stored balances and Σdebits =
 * Σcredits per currency; the journal's hash chain is intact and matches every anchor taken up
 * to the restored moment; the audit chain is intact; amcheck (what pg_amcheck runs) finds every
 * table and B-tree index sound.
 */
export async function checkRestoredDatabase(
  url: string,
  anchors: readonly JournalAnchor[],
): Promise<RestoreCheck[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const checks: RestoreCheck[] = [];
    await client.query('begin isolation level repeatable read');
    const ledger = await verifyLedger(client);
    await client.query('commit');
    const currencies = Object.entries(ledger.currencies)
      .map(([currency, c]) => `${currency} ${c.debits}=${c.credits}`)
      .join(', ');
    checks.push({
      name: 'ledger',
      ok: ledger.balanced,
      detail: ledger.balanced
        ? `journal replay = stored balances for ${ledger.accounts_checked} accounts; Σdebits = Σcredits (${currencies || 'no money yet'})`
        : `${ledger.mismatches.length} balance(s) differ from the journal replay`,
    });
    // Anchors taken after the last restored commit point past the copy's end: skip those.
    const replayed = await client.query<{ at: Date | null }>(
      'select pg_last_xact_replay_timestamp() as at',
    );
    const until = replayed.rows[0]?.at ?? new Date();
    const reachable = anchors.filter((a) => new Date(a.at).getTime() <= until.getTime());
    const seal = await verifyJournalSeal(client, reachable);
    checks.push({
      name: 'journal chain',
      ok: seal.intact,
      detail: seal.intact
        ? `${seal.sealed} events chained, ${seal.anchors_checked} anchors match`
        : `broken at position ${seal.first_broken_position}${seal.anchor_mismatch === null ? '' : ` (anchor of ${seal.anchor_mismatch.at})`}`,
    });
    const audit = await verifyAuditLog(client);
    checks.push({
      name: 'audit chain',
      ok: audit.intact,
      detail: audit.intact
        ? `${audit.entries_checked} entries chained`
        : `tampered at entry ${audit.first_broken_seq}`,
    });
    checks.push(await amcheck(client));
    return checks;
  } finally {
    await client.end();
  }
}

/**
 * `verify_heapam` on every table and `bt_index_check` (with heapallindexed) on every index (a
 * partitioned table's index is only a template: its partitions' indexes are the ones checked).
 */
async function amcheck(client: pg.Client): Promise<RestoreCheck> {
  await client.query('create extension if not exists amcheck');
  const heap = await client.query<{ relation: string; msg: string }>(
    `select c.oid::regclass::text as relation, v.msg
       from pg_class c cross join lateral verify_heapam(c.oid) v
      where c.relkind in ('r', 'm', 't') and c.relpersistence = 'p'`,
  );
  const indexes = await client.query<{ n: number }>(
    `select count(bt_index_check(c.oid, true))::int as n
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am am on am.oid = c.relam
      where am.amname = 'btree' and c.relkind = 'i' and c.relpersistence = 'p'
        and i.indisready and i.indisvalid`,
  );
  const tables = await client.query<{ n: number }>(
    "select count(*)::int as n from pg_class where relkind in ('r', 'm', 't') and relpersistence = 'p'",
  );
  const ok = heap.rows.length === 0;
  return {
    name: 'amcheck',
    ok,
    detail: ok
      ? `${tables.rows[0]?.n ?? 0} tables and ${indexes.rows[0]?.n ?? 0} B-tree indexes sound`
      : `${heap.rows.length} corruption(s), first in ${heap.rows[0]?.relation}: ${heap.rows[0]?.msg}`,
  };
}

/** Tables whose rows, as text, hold `needle` (a planted card number). */
export async function tablesHolding(url: string, needle: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    const found: string[] = [];
    for (const { name } of tables.rows) {
      const hit = await client.query(
        `select 1 from ${name} x where strpos(row_to_json(x)::text, $1) > 0 limit 1`,
        [needle],
      );
      if ((hit.rowCount ?? 0) > 0) found.push(name);
    }
    return found;
  } finally {
    await client.end();
  }
}

/**
 * Files under `dir` that hold `needle` (a planted card number) as bytes: a backup repository,
 * a restored data folder. Read in chunks that overlap by the needle's length.
 */
export async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const pattern = Buffer.from(needle);
  const found: string[] = [];
  const chunk = Buffer.alloc(1 << 20);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const file = await open(path, 'r').catch(() => null);
    if (file === null) continue;
    try {
      let carry = Buffer.alloc(0);
      for (;;) {
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        const window = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        if (window.includes(pattern)) {
          found.push(path);
          break;
        }
        carry = window.subarray(Math.max(0, window.length - pattern.length + 1));
      }
    } finally {
      await file.close();
    }
  }
  return found;
}
