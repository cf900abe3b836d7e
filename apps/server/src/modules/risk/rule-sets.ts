import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import type { RuleSource } from './rule-language.ts';

/**
 * Versioned risk rule sets. A rule set is immutable once submitted: one operator submits it,
 * a second approves (or rejects) it, and approval makes it the live set or the shadow set in
 * one statement (`risk_rules_state`). Rolling back activates an earlier approved version.
 */
export type RuleSetMode = 'live' | 'shadow';
export type RuleSetStatus = 'pending_approval' | 'approved' | 'rejected';

export interface RuleSetRecord {
  readonly id: string;
  readonly version: number;
  readonly description: string;
  readonly mode: RuleSetMode;
  readonly rules: readonly RuleSource[];
  readonly status: RuleSetStatus;
  readonly submittedBy: string;
  readonly submittedAt: Date;
  readonly reviewedBy: string | null;
  readonly reviewedAt: Date | null;
  readonly reviewNote: string | null;
  /** The set in force in its mode when it was submitted (null: none was). */
  readonly basedOn: string | null;
}

export interface RulesState {
  readonly live: string | null;
  readonly shadow: string | null;
  readonly changedAt: Date;
}

type Row = {
  id: string;
  version: number;
  description: string;
  mode: RuleSetMode;
  rules: RuleSource[];
  status: RuleSetStatus;
  submitted_by: string;
  submitted_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  review_note: string | null;
  based_on: string | null;
};

const columns = `id, version, description, mode, rules, status, submitted_by, submitted_at,
  reviewed_by, reviewed_at, review_note, based_on`;

const fromRow = (r: Row): RuleSetRecord => ({
  id: r.id,
  version: r.version,
  description: r.description,
  mode: r.mode,
  rules: r.rules,
  status: r.status,
  submittedBy: r.submitted_by,
  submittedAt: r.submitted_at,
  reviewedBy: r.reviewed_by,
  reviewedAt: r.reviewed_at,
  reviewNote: r.review_note,
  basedOn: r.based_on,
});

/** The version a movement's decision records: `rs-<n>`, or the built-in thresholds alone. */
export const ruleSetLabel = (version: number): string => `rs-${version}`;

export async function submitRuleSet(
  q: Queryable,
  input: {
    description: string;
    mode: RuleSetMode;
    rules: readonly RuleSource[];
    submittedBy: string;
  },
  now: Date,
): Promise<RuleSetRecord> {
  const { rows } = await q.query<Row>(
    `insert into risk_rule_sets (id, description, mode, rules, status, submitted_by, submitted_at,
                                 based_on)
     select $1, $2, $3, $4::jsonb, 'pending_approval', $5, $6,
            case when $3 = 'live' then s.live else s.shadow end
       from risk_rules_state s
     returning ${columns}`,
    [
      newUuid(now.getTime()),
      input.description,
      input.mode,
      JSON.stringify(input.rules),
      input.submittedBy,
      now.toISOString(),
    ],
  );
  return fromRow(rows[0] as Row);
}

export async function getRuleSet(q: Queryable, id: string): Promise<RuleSetRecord | null> {
  const { rows } = await q.query<Row>(`select ${columns} from risk_rule_sets where id = $1`, [id]);
  return rows[0] === undefined ? null : fromRow(rows[0]);
}

/** Newest first, `limit` of them from below `beforeVersion` (a cursor). */
export async function listRuleSets(
  q: Queryable,
  limit: number,
  beforeVersion: number | null,
): Promise<RuleSetRecord[]> {
  const { rows } = await q.query<Row>(
    `select ${columns} from risk_rule_sets where ($1::int is null or version < $1)
      order by version desc limit $2`,
    [beforeVersion, limit],
  );
  return rows.map(fromRow);
}

export async function rulesState(q: Queryable): Promise<RulesState> {
  const { rows } = await q.query<{ live: string | null; shadow: string | null; changed_at: Date }>(
    'select live, shadow, changed_at from risk_rules_state',
  );
  const row = rows[0];
  return {
    live: row?.live ?? null,
    shadow: row?.shadow ?? null,
    changedAt: row?.changed_at ?? new Date(0),
  };
}

export type ReviewOutcome =
  | { readonly ok: true; readonly set: RuleSetRecord }
  | { readonly ok: false; readonly why: 'not_pending' | 'stale' | 'submitter_disabled' };

/**
 * Records a second operator's verdict on a pending set; an approval also puts it in force (as
 * the live or the shadow set) in the same transaction. Run in a transaction: the state row is
 * locked first, so an approval and a deactivation or another approval take turns. An approval
 * is refused when the set in force changed since submission (it would silently replace a
 * newer set) or its submitter's account was disabled. The table refuses a reviewer who is
 * the submitter.
 */
export async function reviewRuleSet(
  q: Queryable,
  input: { id: string; verdict: 'approved' | 'rejected'; reviewedBy: string; note: string | null },
  now: Date,
): Promise<ReviewOutcome> {
  const state = await q.query<{ live: string | null; shadow: string | null }>(
    'select live, shadow from risk_rules_state for update',
  );
  const pending = await q.query<Row & { submitter_disabled: boolean }>(
    `select ${columns}, (select o.disabled_at is not null from operators o
                          where o.id = submitted_by) as submitter_disabled
       from risk_rule_sets where id = $1 for update`,
    [input.id],
  );
  const set = pending.rows[0];
  if (set === undefined || set.status !== 'pending_approval')
    return { ok: false, why: 'not_pending' };
  if (input.verdict === 'approved') {
    if (set.submitter_disabled) return { ok: false, why: 'submitter_disabled' };
    const inForce = state.rows[0]?.[set.mode] ?? null;
    if (inForce !== set.based_on) return { ok: false, why: 'stale' };
  }
  const { rows } = await q.query<Row>(
    `update risk_rule_sets set status = $2, reviewed_by = $3, reviewed_at = $4, review_note = $5
      where id = $1 returning ${columns}`,
    [input.id, input.verdict, input.reviewedBy, now.toISOString(), input.note],
  );
  const row = rows[0] as Row;
  if (input.verdict === 'approved') await activateRuleSet(q, row.id, row.mode, now);
  return { ok: true, set: fromRow(row) };
}

/** Puts an approved set in force as the live or the shadow set (one row, one statement). */
async function activateRuleSet(
  q: Queryable,
  id: string,
  mode: RuleSetMode,
  now: Date,
): Promise<void> {
  await q.query(
    `update risk_rules_state set ${mode === 'live' ? 'live' : 'shadow'} = $1, changed_at = $2`,
    [id, now.toISOString()],
  );
}

/**
 * Takes a set out of force if it is the one in force (compare and swap: a concurrent approval
 * of another set is never undone by it): no live set leaves the built-in thresholds, no shadow
 * set runs none. False when it was not in force.
 */
export async function deactivateRuleSet(
  q: Queryable,
  set: { id: string; mode: RuleSetMode },
  now: Date,
): Promise<boolean> {
  const column = set.mode === 'live' ? 'live' : 'shadow';
  const result = await q.query(
    `update risk_rules_state set ${column} = null, changed_at = $2 where ${column} = $1`,
    [set.id, now.toISOString()],
  );
  return (result.rowCount ?? 0) > 0;
}
