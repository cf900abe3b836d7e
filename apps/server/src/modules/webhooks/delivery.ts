import { encodeId } from '../../kernel/ids.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import type { Metrics } from '../../platform/metrics.ts';
import {
  inSpan,
  injectTraceHeaders,
  noTracer,
  SpanKind,
  SpanStatusCode,
  storedTraceContext,
  type Span,
  type Tracer,
} from '../../platform/tracing.ts';
import { appendAudit } from '../audit/index.ts';
import { appendPublicEvents, eventColumns, eventView, type EventRow } from '../events/index.ts';
import { nextRetryDelayMs, signatureHeader } from './domain/standard-webhooks.ts';
import type { EndpointStore } from './endpoint-store.ts';
import { BlockedAddressError, postWebhook, WebhookTimeoutError } from './outbound-post.ts';

/** A URL's scheme, host and port ('' when it is no URL). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Deliveries a lane leases at once: fewer claim transactions, a lease still short. */
const laneBatch = 8;
/** How long a delivery that failed inside Kassa waits before it is tried again. */
const postponeMs = 30_000;

export interface WebhookDeliveryDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly endpoints: EndpointStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Per request; a receiver that takes longer counts as failed and is retried. */
  readonly timeoutMs: number;
  /** Multiplies the retry schedule (1 in production; tests compress days into seconds). */
  readonly retryScale: number;
  /** An endpoint failing without a single success for this long is disabled. */
  readonly disableAfterMs: number;
  readonly concurrency: number;
  /** Loopback receivers (local development); off in production. */
  readonly allowLoopback: boolean;
  readonly random?: () => number;
  /** Each send is a span in the trace its event was written in (`traceparent` goes along). */
  readonly tracer?: Tracer;
}

interface Claimed {
  id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  /** Never tried, postponed or requeued: this send is the delivery's first attempt. */
  first_attempt: boolean;
  url: string;
}

/**
 * Sends queued webhook deliveries. Each is leased before it is sent, so a worker killed
 * mid-send leaves it to be sent again once the lease lapses (at least once; receivers dedupe by
 * `webhook-id`, the event id). Deliveries about one object go to an endpoint in order: one waits
 * while an earlier one for the same object is pending.
 */
export function createWebhookDelivery(deps: WebhookDeliveryDeps) {
  const random = deps.random ?? Math.random;
  const tracer = deps.tracer ?? noTracer;

  /**
   * A lease covers one send (its timeout) and a margin; a lane renews it for what it still holds
   * before each send. A worker killed mid-batch so delays its deliveries by one lease (15 s by
   * default), not by the whole batch's worth of timeouts (it was 85 s).
   */
  const leaseEnd = (now: Date) => new Date(now.getTime() + deps.timeoutMs + 5_000);

  async function renew(ids: readonly string[]): Promise<void> {
    await deps.db.pool.query(
      'update webhook_deliveries set lease_until = $2 where id = any($1::uuid[])',
      [ids, leaseEnd(deps.clock.now())],
    );
  }

  /** Leases up to `limit` due deliveries for one lane. */
  async function claim(limit: number): Promise<Claimed[]> {
    const now = deps.clock.now();
    return deps.db.transaction(async (client) => {
      // Walks the partial index on next_attempt_at; endpoint and order checks are per row.
      const due = await client.query<Omit<Claimed, 'url'>>(
        `select d.id, d.endpoint_id, d.event_id, d.attempts,
                (d.attempts = 0 and d.next_attempt_at = d.created_at) as first_attempt
           from webhook_deliveries d
          where d.status = 'pending' and d.next_attempt_at <= $1
            and (d.lease_until is null or d.lease_until <= $1)
            and exists (select 1 from webhook_endpoints w where w.id = d.endpoint_id and w.status = 'enabled')
            and not exists (select 1 from webhook_deliveries p
                             where p.endpoint_id = d.endpoint_id and p.ordering_key = d.ordering_key
                               and p.status = 'pending' and p.event_seq < d.event_seq)
          order by d.next_attempt_at limit $2
          for update of d skip locked`,
        [now, limit],
      );
      if (due.rows.length === 0) return [];
      await client.query(
        `update webhook_deliveries set lease_until = $2, attempts = attempts + 1 where id = any($1::uuid[])`,
        [due.rows.map((d) => d.id), leaseEnd(now)],
      );
      const urls = await client.query<{ id: string; url: string }>(
        'select id, url from webhook_endpoints where id = any($1::uuid[])',
        [[...new Set(due.rows.map((d) => d.endpoint_id))]],
      );
      const urlOf = new Map(urls.rows.map((row) => [row.id, row.url]));
      return due.rows.map((d) => ({
        ...d,
        attempts: d.attempts + 1,
        url: urlOf.get(d.endpoint_id) ?? '',
      }));
    });
  }

  async function send(delivery: Claimed): Promise<'delivered' | 'retrying' | 'dead'> {
    const events = await deps.db.query<EventRow>(
      `select ${eventColumns} from events where id = $1`,
      [delivery.event_id],
    );
    const event = events[0];
    if (event === undefined) return record(delivery, null, 'event missing');
    const merchant = event.merchant_id === null ? null : encodeId('mer', event.merchant_id);
    const parent = storedTraceContext(event.traceparent, {
      requestId: event.request_id ?? null,
      actor: merchant,
    });
    const attributes = {
      'kassa.object_id': event.object_id,
      ...(event.request_id == null ? {} : { 'kassa.request_id': event.request_id }),
      'kassa.event_id': encodeId('evt', event.id),
      'kassa.webhook.endpoint': encodeId('we', delivery.endpoint_id),
      'kassa.webhook.attempt': delivery.attempts,
      // The receiver's origin only: a path or query may hold the merchant's own secret.
      'server.address': originOf(delivery.url),
    };
    return inSpan(
      tracer,
      'webhook.deliver',
      { kind: SpanKind.CLIENT, attributes, parent },
      (span) => post(delivery, event, span),
    );
  }

  async function post(
    delivery: Claimed,
    event: EventRow,
    span: Span,
  ): Promise<'delivered' | 'retrying' | 'dead'> {
    const body = JSON.stringify(eventView(event));
    const now = deps.clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const messageId = encodeId('evt', event.id);
    const secrets = await deps.endpoints.signingSecrets(deps.db.pool, delivery.endpoint_id, now);
    if (delivery.first_attempt)
      deps.metrics.webhookFirstAttemptDelay.observe(
        Math.max(0, now.getTime() - event.created_at.getTime()) / 1000,
      );
    let status: number | null = null;
    let error: string | null = null;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Kassa-Webhooks/1',
      'webhook-id': messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, messageId, timestamp, body),
    };
    injectTraceHeaders(headers);
    try {
      status = await postWebhook(delivery.url, headers, body, deps.timeoutMs, deps.allowLoopback);
    } catch (caught) {
      // What the merchant sees is coarse: a refused (internal) address reads like any other
      // failed connection, so the delivery list is no port scanner. Operators see why.
      if (caught instanceof BlockedAddressError)
        deps.logger.warn(
          { endpoint: encodeId('we', delivery.endpoint_id) },
          'webhook receiver resolves to an address webhooks may not reach',
        );
      error = caught instanceof WebhookTimeoutError ? 'timeout' : 'connection failed';
    }
    const outcome = await record(delivery, status, error);
    if (status !== null) span.setAttribute('http.response.status_code', status);
    span.setAttribute('kassa.webhook.outcome', outcome);
    if (outcome !== 'delivered')
      span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? `HTTP ${status ?? '?'}` });
    return outcome;
  }

  async function record(
    delivery: Claimed,
    status: number | null,
    error: string | null,
  ): Promise<'delivered' | 'retrying' | 'dead'> {
    const now = deps.clock.now();
    const ok = status !== null && status >= 200 && status < 300;
    if (ok) {
      await deps.db.query(
        `update webhook_deliveries set status = 'delivered', delivered_at = $2, lease_until = null, last_status = $3
          where id = $1`,
        [delivery.id, now, status],
      );
      // Touches (and locks) the endpoint only when it was failing: sends do not queue on it.
      await deps.db.query(
        'update webhook_endpoints set failing_since = null where id = $1 and failing_since is not null',
        [delivery.endpoint_id],
      );
      deps.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
      return 'delivered';
    }
    const delay = nextRetryDelayMs(delivery.attempts, deps.retryScale, random());
    // A delivery dead-lettered meanwhile (its endpoint was disabled) stays dead.
    await deps.db.query(
      `update webhook_deliveries
          set status = $2, next_attempt_at = $3, lease_until = null, last_status = $4, last_error = $5
        where id = $1 and status = 'pending'`,
      [
        delivery.id,
        delay === null ? 'dead' : 'pending',
        new Date(now.getTime() + (delay ?? 0)),
        status,
        error ?? `HTTP ${status ?? '?'}`,
      ],
    );
    await deps.db.query(
      'update webhook_endpoints set failing_since = $2 where id = $1 and failing_since is null',
      [delivery.endpoint_id, now],
    );
    const failing = await deps.db.query<{ failing_since: Date | null }>(
      'select failing_since from webhook_endpoints where id = $1',
      [delivery.endpoint_id],
    );
    const since = failing[0]?.failing_since ?? null;
    if (since !== null && now.getTime() - since.getTime() >= deps.disableAfterMs)
      await disable(delivery.endpoint_id, since, now);
    const outcome = delay === null ? ('dead' as const) : ('retrying' as const);
    deps.metrics.webhookDeliveries.inc({ outcome });
    return outcome;
  }

  /**
   * Disables an endpoint that has failed without a single success for too long, and moves what
   * was still queued for it to the dead-letter list (`retry` sends it again). Its own
   * transaction, endpoint row first.
   */
  async function disable(endpointId: string, failingSince: Date, now: Date): Promise<void> {
    await deps.db.transaction(async (client) => {
      const disabled = await client.query<{ merchant_id: string; url: string }>(
        `update webhook_endpoints set status = 'disabled', disabled_reason = 'failing'
          where id = $1 and status = 'enabled' and failing_since is not null returning merchant_id, url`,
        [endpointId],
      );
      const merchant = disabled.rows[0];
      if (merchant === undefined) return;
      await client.query(
        `update webhook_deliveries set status = 'dead', lease_until = null
          where endpoint_id = $1 and status = 'pending'`,
        [endpointId],
      );
      await appendAudit(
        client,
        {
          actor: 'system:webhooks',
          action: 'webhook_endpoint.disabled',
          object: encodeId('we', endpointId),
          outcome: 'success',
          details: { merchant: encodeId('mer', merchant.merchant_id), failing_since: failingSince },
        },
        now,
      );
      // The merchant hears of it: an alert in its feed, and a webhook to its other endpoints.
      await appendPublicEvents(client, [
        {
          type: 'webhook_endpoint.disabled',
          object: {
            id: encodeId('we', endpointId),
            object: 'webhook_endpoint',
            url: merchant.url,
            status: 'disabled',
            disabled_reason: 'failing',
            failing_since: failingSince.toISOString(),
          },
          userIds: [],
          merchantId: merchant.merchant_id,
        },
      ]);
      deps.logger.warn({ endpoint: endpointId }, 'webhook endpoint disabled after failing');
    });
  }

  /**
   * A send that fails on Kassa's side (a secret it cannot unseal, a lost database connection)
   * is not the receiver's failure: the delivery is put back for a later pass with its reason,
   * the endpoint is not marked failing, and the lane goes on with the next one. Left leased and
   * unrecorded, it would wait out its lease silently, and the pass would stop for everyone.
   */
  async function sendOrPostpone(delivery: Claimed): Promise<'delivered' | 'retrying' | 'dead'> {
    try {
      return await send(delivery);
    } catch (error) {
      deps.logger.error(
        { err: error, endpoint: encodeId('we', delivery.endpoint_id) },
        'webhook delivery failed inside Kassa; postponed',
      );
      await deps.db
        .query(
          `update webhook_deliveries
              set lease_until = null, next_attempt_at = $2, last_error = 'internal error',
                  attempts = greatest(attempts - 1, 0)
            where id = $1 and status = 'pending'`,
          [delivery.id, new Date(deps.clock.now().getTime() + postponeMs)],
        )
        .catch(() => undefined); // the lease lapses on its own
      deps.metrics.webhookDeliveries.inc({ outcome: 'retrying' });
      return 'retrying';
    }
  }

  /**
   * Sends due deliveries over `concurrency` lanes until none is due or `limit` were sent. Each
   * lane leases a few deliveries at a time, right before sending them, with a lease that covers
   * sending all of them; one slow receiver holds up only its own lane.
   */
  async function deliverDue(limit = 1_000) {
    const counts = { delivered: 0, retrying: 0, dead: 0 };
    let taken = 0;
    await Promise.all(
      Array.from({ length: deps.concurrency }, async () => {
        while (taken < limit) {
          const batch = await claim(laneBatch);
          if (batch.length === 0) return;
          taken += batch.length;
          for (const [i, delivery] of batch.entries()) {
            if (i > 0) await renew(batch.slice(i).map((d) => d.id));
            counts[await sendOrPostpone(delivery)] += 1;
          }
        }
      }),
    );
    return counts;
  }

  return { deliverDue };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
