import { CreateWebhookEndpointBody, IdParams, publicEventTypes } from '@kassa/contracts';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, pageLimit, requireMerchant } from '../../platform/request-context.ts';
import { idempotencyClaim, sendStored } from '../idempotency/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { runIdempotent } from '../idempotency/index.ts';
import { webhookUrlProblem } from './domain/standard-webhooks.ts';
import { endpointView, type EndpointStore } from './endpoint-store.ts';

const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
    ),
    limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$' })),
  },
  { additionalProperties: false },
);

/** Merchant webhook endpoints: create, list, delete, rotate the secret, retry, dead letters. */
export function webhookRoutes(deps: {
  db: Db;
  clock: Clock;
  endpoints: EndpointStore;
  /** Loopback URLs (local development); off in production. */
  allowLoopback: boolean;
  /** Endpoints one merchant may have: every event fans out to each of them. */
  endpointsMax: number;
}) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['webhooks'];

    async function owned(merchantId: string, wireId: string) {
      const endpoint = await deps.endpoints.get(
        deps.db.pool,
        merchantId,
        idOrNotFound('we', wireId),
      );
      if (endpoint === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
      return endpoint;
    }

    app.post(
      '/v1/webhook_endpoints',
      {
        schema: {
          tags,
          summary:
            'Subscribe a URL to events (["*"] for all); the whsec_ signing secret is shown once',
          body: CreateWebhookEndpointBody,
        },
      },
      async (request, reply) => {
        const merchant = requireMerchant(request);
        const problem = webhookUrlProblem(request.body.url, deps.allowLoopback);
        if (problem !== null)
          throw new KassaError('invalid_webhook_url', problem, { param: 'url' });
        const known: readonly string[] = publicEventTypes;
        if (request.body.events.some((type) => type !== '*' && !known.includes(type)))
          throw new KassaError('unknown_event_type', undefined, { param: 'events' });
        let secret: string | undefined;
        const stored = await runIdempotent(
          deps.db,
          idempotencyClaim(request, false),
          async (client) => {
            // One merchant's creations are counted one at a time, so a burst cannot pass the cap.
            await client.query('select pg_advisory_xact_lock(hashtext($1))', [
              `webhook-endpoints:${merchant.merchantId}`,
            ]);
            const count = await deps.endpoints.count(client, merchant.merchantId);
            if (count >= deps.endpointsMax)
              throw new KassaError(
                'webhook_endpoint_limit',
                `A merchant may have ${deps.endpointsMax} webhook endpoints. Delete one, or subscribe an existing one to more events.`,
              );
            const created = await deps.endpoints.create(
              client,
              merchant.merchantId,
              request.body.url,
              request.body.events,
              deps.clock.now(),
            );
            secret = created.secret;
            // Stored for replays without the secret: it is shown once.
            return { statusCode: 201, body: { ...endpointView(created.endpoint), secret: null } };
          },
        );
        if (stored.replayed || secret === undefined) return sendStored(reply, stored);
        return reply.code(201).send({ ...(stored.body as object), secret });
      },
    );

    app.get(
      '/v1/webhook_endpoints',
      { schema: { tags, summary: 'Your webhook endpoints' } },
      async (request) => {
        const merchant = requireMerchant(request);
        const list = await deps.endpoints.list(deps.db.pool, merchant.merchantId);
        return { object: 'list', data: list.map((e) => endpointView(e)), has_more: false };
      },
    );

    app.delete(
      '/v1/webhook_endpoints/:id',
      {
        schema: {
          tags,
          summary: 'Delete an endpoint (nothing more is sent to it)',
          params: IdParams,
        },
      },
      async (request) => {
        const merchant = requireMerchant(request);
        const endpoint = await owned(merchant.merchantId, request.params.id);
        await deps.endpoints.remove(
          deps.db.pool,
          merchant.merchantId,
          endpoint.id,
          deps.clock.now(),
        );
        return { id: encodeId('we', endpoint.id), object: 'webhook_endpoint', deleted: true };
      },
    );

    app.post(
      '/v1/webhook_endpoints/:id/rotate_secret',
      {
        schema: {
          tags,
          summary:
            'New signing secret; for 24 hours deliveries carry signatures by both the old and the new one',
          params: IdParams,
        },
      },
      async (request) => {
        const merchant = requireMerchant(request);
        const endpoint = await owned(merchant.merchantId, request.params.id);
        const secret = await deps.endpoints.rotate(
          deps.db.pool,
          merchant.merchantId,
          endpoint.id,
          deps.clock.now(),
        );
        if (secret === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
        return { ...endpointView(endpoint), secret };
      },
    );

    app.post(
      '/v1/webhook_endpoints/:id/retry',
      {
        schema: {
          tags,
          summary: 'Re-enable the endpoint and send its dead deliveries again',
          params: IdParams,
        },
      },
      async (request) => {
        const merchant = requireMerchant(request);
        const endpoint = await owned(merchant.merchantId, request.params.id);
        const requeued = await deps.db.transaction(async (client) => {
          await client.query(
            `update webhook_endpoints set status = 'enabled', disabled_reason = null, failing_since = null
              where id = $1`,
            [endpoint.id],
          );
          const result = await client.query(
            `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = null
              where endpoint_id = $1 and status = 'dead'`,
            [endpoint.id, deps.clock.now()],
          );
          return result.rowCount ?? 0;
        });
        return {
          ...endpointView({ ...endpoint, status: 'enabled', disabledReason: null }),
          requeued,
        };
      },
    );

    app.get(
      '/v1/webhook_endpoints/:id/deliveries',
      {
        schema: {
          tags,
          summary: 'Deliveries to an endpoint, newest first (`status=dead`: the dead-letter list)',
          params: IdParams,
          querystring: DeliveriesQuery,
        },
      },
      async (request) => {
        const merchant = requireMerchant(request);
        const endpoint = await owned(merchant.merchantId, request.params.id);
        const rows = await deps.db.query<{
          id: string;
          event_id: string;
          status: string;
          attempts: number;
          last_status: number | null;
          last_error: string | null;
          next_attempt_at: Date;
          created_at: Date;
          delivered_at: Date | null;
        }>(
          `select id, event_id, status, attempts, last_status, last_error, next_attempt_at, created_at, delivered_at
             from webhook_deliveries where endpoint_id = $1 and ($2::text is null or status = $2)
            order by created_at desc limit $3`,
          [endpoint.id, request.query.status ?? null, pageLimit(request.query.limit)],
        );
        return {
          object: 'list',
          data: rows.map((d) => ({
            id: encodeId('whd', d.id),
            object: 'webhook_delivery',
            event: encodeId('evt', d.event_id),
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
            created_at: d.created_at.toISOString(),
            delivered_at: d.delivered_at?.toISOString() ?? null,
          })),
          has_more: false,
        };
      },
    );
  };
}
