import { createHash } from 'node:crypto';
import { assert } from '../../kernel/assert.ts';
import {
  tryAdvisoryXactLock,
  unnestParams,
  type Db,
  type DbClient,
  type Queryable,
} from '../../platform/db.ts';
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

/** Where an event stands in commit order. */
interface CommitPosition {
  readonly tx_id: string;
  readonly seq: string;
}

const genesis = Buffer.alloc(32);

/** How many `alreadySealed` seqs a pass keeps to report (the count is not capped). */
const reportedSeqsMax = 20;

function link(prev: Buffer, event: EventRow): Buffer {
  return createHash('sha256')
    .update(prev)
    .update(
      JSON.stringify([event.seq, event.id, event.type, event.stream_id, event.data, event.tx_id]),
    )
    .digest();
}

/** Commit order, `(tx_id, seq)` compared as numbers (their text forms sort 10 before 9). */
function compareCommitOrder(a: CommitPosition, b: CommitPosition): number {
  const [ta, tb, sa, sb] = [BigInt(a.tx_id), BigInt(b.tx_id), BigInt(a.seq), BigInt(b.seq)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

export interface SealPass {
  /** Events linked into the chain by this pass. */
  readonly sealed: number;
  /**
   * Events past the chain's head that the chain already holds (their `seq`s, the first few):
   * the chain is out of commit order there. They are never sealed twice and sealing goes on
   * past them, but this is an inconsistency the caller must report.
   */
  readonly alreadySealed: readonly string[];
  readonly alreadySealedCount: number;
}

/**
 * Seals the next committed journal events into the hash chain, in commit order (only below
 * `kassa_commit_horizon()`, so a late commit is never passed over). Runs in the worker, never on the
 * payment path; an advisory lock keeps one sealer at a time. An event the chain already holds is
 * never sealed again: it is returned in `alreadySealed` for the caller to report, and sealing
 * goes on past it, so a damaged chain cannot wedge the sealer. Throws what the database throws,
 * and an AssertionFailure if events ever came back out of commit order (nothing is written then).
 */
export async function sealJournal(db: Db, batchSize = 2_000): Promise<SealPass> {
  return db.transaction(async (client) => {
    const pass = { sealed: 0, alreadySealed: [] as string[], alreadySealedCount: 0 };
    if (!(await tryAdvisoryXactLock(client, 'journal:seal'))) return pass;
    // Columns are qualified in every ORDER BY here: a bare `position`, `tx_id` or `seq` would
    // name the `::text` output column and sort as text ('10' before '9').
    const last = await client.query<{ position: string; tx_id: string; seq: string; hash: Buffer }>(
      `select s.position::text as position, s.tx_id::text as tx_id, s.event_seq::text as seq,
              s.hash
         from journal_seals s order by s.position desc limit 1`,
    );
    const head = last.rows[0];
    let from: CommitPosition = head ?? { tx_id: '0', seq: '0' };
    for (;;) {
      const batch = await nextEvents(client, from, batchSize);
      for (const event of batch) {
        assert(compareCommitOrder(from, event) < 0, 'the sealer reads events in commit order');
        from = event;
      }
      const fresh = batch.filter((event) => event.sealed_position === null);
      for (const event of batch.filter((e) => e.sealed_position !== null)) {
        pass.alreadySealedCount += 1;
        if (pass.alreadySealed.length < reportedSeqsMax) pass.alreadySealed.push(event.seq);
      }
      // A full batch of events the chain already holds: look past it rather than stall. This
      // ends: `from` moves a whole batch forward each turn, over finitely many sealed events.
      if (fresh.length === 0 && batch.length === batchSize) continue;
      pass.sealed = await appendLinks(client, head, fresh);
      return pass;
    }
  });
}

/**
 * The next committed events after `from` in commit order, each with the position that already
 * seals it (null for all of them unless the chain is out of order past its head).
 */
async function nextEvents(
  client: DbClient,
  from: CommitPosition,
  limit: number,
): Promise<(EventRow & { sealed_position: string | null })[]> {
  const events = await client.query<EventRow & { sealed_position: string | null }>(
    `select e.seq::text as seq, e.id, e.type, e.stream_id, e.data, e.tx_id::text as tx_id,
            e.recorded_at, s.position::text as sealed_position
       from journal_events e left join journal_seals s on s.event_seq = e.seq
      where (e.tx_id, e.seq) > ($1::xid8, $2::bigint)
        and e.tx_id < (select kassa_commit_horizon())
      order by e.tx_id, e.seq limit $3`,
    [from.tx_id, from.seq, limit],
  );
  return events.rows;
}

/** Links `events` after `head`, in the order given. Returns how many it linked. */
async function appendLinks(
  client: DbClient,
  head: { readonly position: string; readonly hash: Buffer } | undefined,
  events: readonly EventRow[],
): Promise<number> {
  if (events.length === 0) return 0;
  let prev: Buffer = head?.hash ?? genesis;
  let position = BigInt(head?.position ?? '0');
  const rows: [string, string, string, Buffer][] = [];
  for (const event of events) {
    prev = link(prev, event);
    position += 1n;
    rows.push([position.toString(), event.seq, event.tx_id, prev]);
  }
  await client.query(
    `insert into journal_seals (position, event_seq, tx_id, hash)
     select * from unnest($1::bigint[], $2::bigint[], $3::xid8[], $4::bytea[])`,
    unnestParams(rows),
  );
  return rows.length;
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
