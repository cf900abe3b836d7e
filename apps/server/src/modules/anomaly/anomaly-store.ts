import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import type { AnomalyChange, AnomalyReading, SliceState } from './domain/anomaly-detector.ts';

const dateOf = (minute: number) => new Date(minute * 60_000);

/** The first minute the detector has not judged yet; null before its first run. */
export async function judgedUntil(q: Queryable): Promise<number | null> {
  const { rows } = await q.query<{ judged_until: Date }>(
    'select judged_until from anomaly_watermark',
  );
  const row = rows[0];
  return row === undefined ? null : Math.floor(row.judged_until.getTime() / 60_000);
}

export async function setJudgedUntil(q: Queryable, minute: number): Promise<void> {
  await q.query(
    `insert into anomaly_watermark (judged_until) values ($1)
     on conflict (singleton) do update set judged_until = excluded.judged_until`,
    [dateOf(minute)],
  );
}

/** Every slice's detector state. */
export async function sliceStates(q: Queryable): Promise<Map<string, SliceState>> {
  const { rows } = await q.query<{ slice: string; state: SliceState }>(
    'select slice, state from anomaly_slices',
  );
  return new Map(rows.map((row) => [row.slice, row.state]));
}

/** Stores the states of the slices judged, and forgets those not judged for `forgetAfter`. */
export async function saveSliceStates(
  q: Queryable,
  states: ReadonlyMap<string, SliceState>,
  judgedMinute: number,
  forgetBeforeMinute: number,
): Promise<void> {
  await q.query(
    `insert into anomaly_slices (slice, state, judged_at)
     select slice, state, $3 from unnest($1::text[], $2::jsonb[]) as s (slice, state)
     on conflict (slice) do update set state = excluded.state, judged_at = excluded.judged_at`,
    [[...states.keys()], [...states.values()].map((s) => JSON.stringify(s)), dateOf(judgedMinute)],
  );
  await q.query('delete from anomaly_slices where judged_at < $1', [dateOf(forgetBeforeMinute)]);
}

/** Opens an anomaly; null when one is already open for its slice and signal. */
export async function openAnomaly(q: Queryable, change: AnomalyChange): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>(
    `insert into anomalies (id, slice, signal, since, raised_at, reading)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (slice, signal) where cleared_at is null do nothing
     returning id`,
    [
      newUuid(),
      change.slice,
      change.signal,
      dateOf(change.since),
      dateOf(change.minute),
      JSON.stringify(change.reading),
    ],
  );
  return rows[0]?.id ?? null;
}

/** Closes the open anomaly of its slice and signal; null when none was open. */
export async function closeAnomaly(q: Queryable, change: AnomalyChange): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>(
    `update anomalies set cleared_at = $3, cleared_reading = $4
      where slice = $1 and signal = $2 and cleared_at is null
      returning id`,
    [change.slice, change.signal, dateOf(change.minute), JSON.stringify(change.reading)],
  );
  return rows[0]?.id ?? null;
}

export interface OpenAnomaly {
  readonly id: string;
  readonly slice: string;
  readonly signal: string;
  readonly since: Date;
  readonly reading: AnomalyReading;
}

/** The anomalies open now, oldest first. */
export async function openAnomalies(q: Queryable): Promise<OpenAnomaly[]> {
  const { rows } = await q.query<OpenAnomaly>(
    `select id, slice, signal, since, reading from anomalies
      where cleared_at is null order by since, slice, signal`,
  );
  return rows;
}
