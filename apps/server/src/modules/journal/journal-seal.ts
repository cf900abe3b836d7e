import { createHash } from 'node:crypto';
import { tryAdvisoryXactLock, type Db, type Queryable } from '../../platform/db.ts';
import type { JournalAnchor } from './journal-anchor.ts';

interface EventRow {
  seq: string;
  id: string;
  type: string;
  stream_id: string;
  data: unknown;
  tx_id: string;
  recorded_at: Date;
}

const genesis = Buffer.alloc(32);

function link(prev: Buffer, event: EventRow): Buffer {
  return createHash('sha256')
    .update(prev)
    .update(
      JSON.stringify([event.seq, event.id, event.type, event.stream_id, event.data, event.tx_id]),
    )
    .digest();
}

/**
 * Seals the next committed journal events into the hash chain, in commit order (only below
 * `pg_snapshot_xmin`, so a late commit is never passed over). Runs in the worker, never on the
 * payment path; an advisory lock keeps one sealer at a time. Returns how many it sealed.
 */
export async function sealJournal(db: Db, batchSize = 2_000): Promise<number> {
  return db.transaction(async (client) => {
    if (!(await tryAdvisoryXactLock(client, 'journal:seal'))) return 0;
    const last = await client.query<{ position: string; tx_id: string; seq: string; hash: Buffer }>(
      `select s.position::text, s.tx_id::text, s.event_seq::text as seq, s.hash
         from journal_seals s order by s.position desc limit 1`,
    );
    const head = last.rows[0];
    const events = await client.query<EventRow>(
      `select seq::text, id, type, stream_id, data, tx_id::text, recorded_at from journal_events
        where (tx_id, seq) > ($1::xid8, $2::bigint) and tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by tx_id, seq limit $3`,
      [head?.tx_id ?? '0', head?.seq ?? '0', batchSize],
    );
    if (events.rows.length === 0) return 0;
    let prev: Buffer = head?.hash ?? genesis;
    let position = BigInt(head?.position ?? '0');
    const rows: [string, string, string, Buffer][] = [];
    for (const event of events.rows) {
      prev = link(prev, event);
      position += 1n;
      rows.push([position.toString(), event.seq, event.tx_id, prev]);
    }
    await client.query(
      `insert into journal_seals (position, event_seq, tx_id, hash)
       select * from unnest($1::bigint[], $2::bigint[], $3::xid8[], $4::bytea[])`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
    return rows.length;
  });
}

export interface SealVerification {
  readonly intact: boolean;
  readonly sealed: number;
  /** Committed events not sealed yet (the worker catches up). */
  readonly unsealed: number;
  /** The first position whose hash does not match its event, or an event missing from the chain. */
  readonly first_broken_position: string | null;
  /** Anchors (heads kept outside the database) compared with the recomputed chain. */
  readonly anchors_checked: number;
  /** An anchor the recomputed chain does not reach or does not match: the chain was rewritten. */
  readonly anchor_mismatch: { readonly position: string; readonly at: string } | null;
}

/**
 * Recomputes the chain from the journal: any edited, removed or reordered event breaks it. With
 * anchors, a chain rewritten consistently (events and seals together) is caught too: the
 * recomputed hash at an anchored position must be the anchored one.
 */
export async function verifyJournalSeal(
  q: Queryable,
  anchors: readonly JournalAnchor[] = [],
): Promise<SealVerification> {
  const anchored = new Map(anchors.map((a) => [a.position, a]));
  const result = await q.query<EventRow & { position: string; hash: Buffer; missing: boolean }>(
    `select s.position::text, s.hash, e.seq::text, e.id, e.type, e.stream_id, e.data, e.tx_id::text,
            e.recorded_at, (e.seq is null) as missing
       from journal_seals s left join journal_events e on e.seq = s.event_seq
      order by s.position`,
  );
  const checks = { anchors_checked: 0, anchor_mismatch: null };
  let prev: Buffer = genesis;
  for (const row of result.rows) {
    if (row.missing || !link(prev, row).equals(row.hash))
      return {
        intact: false,
        sealed: result.rows.length,
        unsealed: 0,
        first_broken_position: row.position,
        ...checks,
      };
    prev = row.hash;
    const anchor = anchored.get(row.position);
    if (anchor === undefined) continue;
    anchored.delete(row.position);
    if (anchor.hash !== prev.toString('hex'))
      return {
        intact: false,
        sealed: result.rows.length,
        unsealed: 0,
        first_broken_position: row.position,
        anchors_checked: anchors.length - anchored.size,
        anchor_mismatch: { position: anchor.position, at: anchor.at },
      };
  }
  // An anchor past the chain's end: links it once had are gone.
  const beyond = [...anchored.values()][0];
  if (beyond !== undefined)
    return {
      intact: false,
      sealed: result.rows.length,
      unsealed: 0,
      first_broken_position: String(result.rows.length + 1),
      anchors_checked: anchors.length,
      anchor_mismatch: { position: beyond.position, at: beyond.at },
    };
  const unsealed = await q.query<{ n: string }>(
    'select count(*)::text as n from journal_events e where not exists (select 1 from journal_seals s where s.event_seq = e.seq)',
  );
  return {
    intact: true,
    sealed: result.rows.length,
    unsealed: Number(unsealed.rows[0]?.n ?? 0),
    first_broken_position: null,
    anchors_checked: anchors.length,
    anchor_mismatch: null,
  };
}
