import { createHash } from 'node:crypto';
import { canonicalJson } from '../../kernel/canonical-json.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Db, Queryable } from '../../platform/db.ts';

export const auditOutcomes = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

export interface AuditEntry {
  /** Who: `user:<id>`, `merchant:<id>`, `operator`, `anonymous`, `email:<address>`. */
  readonly actor: string;
  /** What: `login`, `login.2fa`, `2fa.enabled`, `2fa.disabled`, `merchant.created`, … */
  readonly action: string;
  readonly object?: string | null;
  readonly outcome: AuditOutcome;
  /** Where: the client address and device, when known. */
  readonly ip?: string | null;
  readonly device?: string | null;
  readonly details?: Record<string, unknown>;
}

/** The entry for a user acting on their own account (log-ins, 2FA, password, devices). */
export function selfAction(
  userId: string,
  action: string,
  ip: string,
  details?: Record<string, unknown>,
): AuditEntry {
  return {
    actor: `user:${userId}`,
    action,
    object: `user:${userId}`,
    outcome: 'success',
    ip,
    ...(details === undefined ? {} : { details }),
  };
}

const genesis: Buffer = Buffer.alloc(32);
/** A fixed advisory-lock id: appends are serialized so the chain has one order. */
const auditLockId = 7_305_246_019_882n;

interface AuditRow {
  seq: bigint;
  id: string;
  at: string;
  actor: string;
  action: string;
  object: string | null;
  outcome: string;
  ip: string | null;
  device: string | null;
  details: string;
}

/** The stored and hashed values of a row, in column order: one list, so the two never drift. */
function rowValues(row: AuditRow): unknown[] {
  return [
    row.seq.toString(),
    row.id,
    row.at,
    row.actor,
    row.action,
    row.object,
    row.outcome,
    row.ip,
    row.device,
    row.details,
  ];
}

function rowHash(prev: Buffer, row: AuditRow): Buffer {
  return createHash('sha256')
    .update(prev)
    .update(JSON.stringify(rowValues(row)))
    .digest();
}

/**
 * Appends an entry in the caller's transaction (or its own). Entries are hash-chained: each
 * hash covers the previous hash and the entry, so `verifyAuditLog` notices any edited, removed
 * or reordered row. Appends take a transaction-scoped advisory lock; audit events are rare
 * (logins, security changes), so serializing them costs nothing measurable.
 */
export async function appendAudit(q: Queryable, entry: AuditEntry, now: Date): Promise<void> {
  await q.query('select pg_advisory_xact_lock($1)', [auditLockId.toString()]);
  const last = await q.query<{ seq: bigint; hash: Buffer }>(
    'select seq, hash from audit_log order by seq desc limit 1',
  );
  const prev = last.rows[0]?.hash ?? genesis;
  const row: AuditRow = {
    seq: (last.rows[0]?.seq ?? 0n) + 1n,
    id: newUuid(),
    at: now.toISOString(),
    actor: entry.actor,
    action: entry.action,
    object: entry.object ?? null,
    outcome: entry.outcome,
    ip: entry.ip ?? null,
    device: entry.device ?? null,
    details: canonicalJson(entry.details ?? {}),
  };
  await q.query(
    `insert into audit_log (seq, id, at, actor, action, object, outcome, ip, device, details, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [...rowValues(row), prev, rowHash(prev, row)],
  );
}

/** Appends in a transaction of its own (when the action itself wrote nothing). */
export function recordAudit(db: Db, entry: AuditEntry, now: Date): Promise<void> {
  return db.transaction((client) => appendAudit(client, entry, now));
}

export interface AuditVerification {
  readonly intact: boolean;
  readonly entries_checked: number;
  /** The first row whose hash or link does not match, if any. */
  readonly first_broken_seq: string | null;
}

/** Recomputes the chain from the first row. Any edited, missing or reordered row breaks it. */
export async function verifyAuditLog(q: Queryable): Promise<AuditVerification> {
  const rows = await q.query<{
    seq: bigint;
    id: string;
    at: Date;
    actor: string;
    action: string;
    object: string | null;
    outcome: string;
    ip: string | null;
    device: string | null;
    details: unknown;
    prev_hash: Buffer;
    hash: Buffer;
  }>(
    'select seq, id, at, actor, action, object, outcome, ip, device, details::text as details, prev_hash, hash from audit_log order by seq',
  );
  let prev: Buffer = genesis;
  let expectedSeq = 1n;
  for (const row of rows.rows) {
    const details = String(row.details);
    const computed = rowHash(prev, {
      ...row,
      at: row.at.toISOString(),
      details: canonicalJson(JSON.parse(details)),
    });
    if (row.seq !== expectedSeq || !row.prev_hash.equals(prev) || !row.hash.equals(computed)) {
      return {
        intact: false,
        entries_checked: rows.rows.length,
        first_broken_seq: row.seq.toString(),
      };
    }
    prev = row.hash;
    expectedSeq += 1n;
  }
  return { intact: true, entries_checked: rows.rows.length, first_broken_seq: null };
}
