import { newUuid } from '../../kernel/ids.ts';
import type { Db, Queryable } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import { timeoutSignal } from '../../platform/timeout-signal.ts';
import type { AnomalyChange } from './domain/anomaly-detector.ts';

/** Attempts per message before it is given up (waits doubling from 30 s to an hour: a day). */
const attemptsMax = 30;
/** Messages sent per pass. */
const batchMax = 20;

/** What the ops webhook receives (JSON, snake_case like the API). */
export function webhookBody(
  anomalyId: string,
  change: AnomalyChange,
  text: { title: string; body: string },
) {
  const iso = (minute: number) => new Date(minute * 60_000).toISOString();
  const r = change.reading;
  return {
    type: `anomaly.${change.type}`,
    anomaly_id: anomalyId,
    slice: change.slice,
    signal: change.signal,
    since: iso(change.since),
    at: iso(change.minute),
    title: text.title,
    summary: text.body,
    observed_per_minute: r.observedPerMinute,
    expected_per_minute: r.expectedPerMinute,
    observed_share: r.observedShare,
    expected_share: r.expectedShare,
    z: r.z,
  };
}

/** Queues a message in the caller's transaction: sent after it commits, at least once. */
export async function queueOpsWebhook(
  q: Queryable,
  anomalyId: string,
  change: AnomalyChange,
  body: object,
): Promise<void> {
  await q.query(
    `insert into anomaly_webhooks (id, anomaly_id, kind, body, next_attempt_at)
     values ($1, $2, $3, $4, $5) on conflict (anomaly_id, kind) do nothing`,
    [newUuid(), anomalyId, change.type, JSON.stringify(body), new Date(change.minute * 60_000)],
  );
}

export interface OpsWebhook {
  /** Sends the messages that are due; returns how many the receiver took. */
  deliverDue(now: Date): Promise<number>;
}

/**
 * The ops webhook (`OPS_WEBHOOK_URL`): every raised and cleared anomaly is POSTed there as JSON,
 * at least once (`type` and `anomaly_id` tell a repeat). A message is claimed (its next attempt
 * pushed back, doubling from 30 s up to an hour) before it is sent, so two workers never send
 * it at once and a worker that dies mid-send leaves it to be sent again.
 */
export function createOpsWebhook(deps: {
  db: Db;
  url: string;
  timeoutMs: number;
  logger: Logger;
}): OpsWebhook {
  async function send(body: unknown): Promise<string | null> {
    const timeout = timeoutSignal(null, deps.timeoutMs);
    try {
      const response = await fetch(deps.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'kassa-anomaly-detector' },
        body: JSON.stringify(body),
        signal: timeout.signal,
      });
      await response.arrayBuffer();
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return timeout.timedOut() ? 'timed out' : String(error);
    } finally {
      timeout.dispose();
    }
  }

  return {
    async deliverDue(now) {
      const { rows } = await deps.db.pool.query<{ id: string; body: unknown; attempts: number }>(
        `update anomaly_webhooks w
            set attempts = w.attempts + 1,
                next_attempt_at = $1::timestamptz + least(interval '1 hour', interval '30 seconds' * power(2, w.attempts))
          where w.id in (select id from anomaly_webhooks
                          where delivered_at is null and next_attempt_at <= $1 and attempts < $2
                          order by next_attempt_at, id limit $3 for update skip locked)
          returning w.id, w.body, w.attempts`,
        [now, attemptsMax, batchMax],
      );
      let delivered = 0;
      for (const row of rows) {
        const error = await send(row.body);
        await deps.db.pool.query(
          `update anomaly_webhooks set delivered_at = case when $2::text is null then $3::timestamptz end,
                  last_error = $2 where id = $1`,
          [row.id, error, now],
        );
        if (error === null) delivered += 1;
        else
          deps.logger[row.attempts >= attemptsMax ? 'error' : 'warn'](
            { webhook: row.id, attempts: row.attempts, error },
            row.attempts >= attemptsMax ? 'ops webhook given up' : 'ops webhook failed',
          );
      }
      return delivered;
    },
  };
}
