import { IdParams } from '@kassa/contracts';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idOrNotFound, pageLimit, requirePrincipal } from '../../platform/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import type { Principal } from '../../kernel/principal.ts';
import type { NotificationHub } from './notification-hub.ts';
import {
  listNotifications,
  markRead,
  notificationView,
  recipientKey,
  unreadCount,
  type Recipient,
} from './notification-store.ts';

const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$' })),
    starting_after: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

function recipientOf(request: FastifyRequest): Recipient {
  const principal = requirePrincipal(request);
  if (principal.kind === 'user') return { userId: principal.userId };
  if (principal.kind === 'merchant') return { merchantId: principal.merchantId };
  return { operator: true };
}

/** How often a stream looks for news without being woken, and sends a keep-alive comment. */
const pollMs = 5_000;
const heartbeatMs = 15_000;
/** How often a stream checks that the session behind it still lives (logout ends it). */
const livenessCheckMs = 250;

/** The alert feed: a list, mark-read, and a server-sent-events stream. */
export function notificationRoutes(deps: {
  db: Db;
  clock: Clock;
  hub: NotificationHub;
  /** Whether the caller's session or key still lives: a stream ends when it does not. */
  stillValid: (principal: Principal) => Promise<boolean>;
  /** Open streams one user or merchant may hold on this process. */
  streamsPerSessionMax: number;
}) {
  const open = new Map<string, number>();
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['notifications'];

    app.get(
      '/v1/notifications',
      {
        schema: {
          tags,
          summary: 'Your alerts, newest first, with the unread count',
          querystring: ListQuery,
        },
      },
      async (request) => {
        const recipient = recipientOf(request);
        const cursor = request.query.starting_after;
        const startingAfter = cursor === undefined ? null : decodeId('ntf', cursor);
        if (cursor !== undefined && startingAfter === null)
          throw new KassaError('invalid_id', undefined, { param: 'starting_after' });
        const limit = pageLimit(request.query.limit);
        const rows = await listNotifications(deps.db.pool, recipient, {
          startingAfter,
          limit: limit + 1,
        });
        return {
          object: 'list',
          data: rows.slice(0, limit).map(notificationView),
          has_more: rows.length > limit,
          unread: await unreadCount(deps.db.pool, recipient),
        };
      },
    );

    app.post(
      '/v1/notifications/:id/read',
      { schema: { tags, summary: 'Mark an alert read', params: IdParams } },
      async (request) => {
        const recipient = recipientOf(request);
        const read = await markRead(
          deps.db.pool,
          recipient,
          idOrNotFound('ntf', request.params.id),
          deps.clock.now(),
        );
        if (read === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
        return read;
      },
    );

    app.get(
      '/v1/notifications/stream',
      {
        schema: {
          tags,
          summary:
            'Server-sent events: each new alert as `event: notification` with its id; send `Last-Event-ID` to resume',
        },
      },
      async (request, reply) => {
        const recipient = recipientOf(request);
        const principal = requirePrincipal(request);
        // Counted per sign-in (session family) or API key, not per account: a stolen session
        // that opens streams until the cap blocks only itself, never the owner's app.
        const key =
          principal.kind === 'user'
            ? `s:${principal.sessionFamilyId}`
            : principal.kind === 'merchant'
              ? `k:${principal.keyId}`
              : 'operator';
        const wakeKey = recipientKey(recipient);
        if ((open.get(key) ?? 0) >= deps.streamsPerSessionMax)
          throw new KassaError(
            'rate_limited',
            `At most ${deps.streamsPerSessionMax} notification streams may be open at once. Close one first.`,
            { retryAfterSeconds: 5 },
          );
        const resume = request.headers['last-event-id'];
        let last: string | null = typeof resume === 'string' ? decodeId('ntf', resume) : null;
        if (last === null) {
          // A new stream starts at the newest alert: the app reads the backlog with the list.
          const newest = await listNotifications(deps.db.pool, recipient, { limit: 1 });
          last = newest[0]?.id ?? '00000000-0000-0000-0000-000000000000';
        }
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-content-type-options': 'nosniff',
          'request-id': request.id,
        });
        res.write('retry: 3000\n\n');
        let busy = false;
        let again = false;
        const pump = async (): Promise<void> => {
          if (busy) {
            again = true;
            return;
          }
          busy = true;
          try {
            do {
              again = false;
              const rows = await listNotifications(deps.db.pool, recipient, {
                after: last,
                limit: 100,
              });
              for (const row of rows) {
                const view = notificationView(row);
                res.write(`id: ${view.id}\nevent: notification\ndata: ${JSON.stringify(view)}\n\n`);
                last = row.id;
              }
            } while (again);
          } catch (error) {
            request.log.warn({ err: error }, 'notification stream read failed');
          } finally {
            busy = false;
          }
        };
        open.set(key, (open.get(key) ?? 0) + 1);
        const unsubscribe = deps.hub.subscribe(wakeKey, () => void pump());
        const poll = setInterval(() => void pump(), pollMs);
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
        // The stream lives no longer than the session: logout, revocation or expiry end it.
        const liveness = setInterval(() => {
          deps.stillValid(principal).then(
            (valid) => {
              if (valid) return;
              res.write('event: session_ended\ndata: {}\n\n');
              res.end();
            },
            () => undefined,
          );
        }, livenessCheckMs);
        res.on('close', () => {
          unsubscribe();
          clearInterval(poll);
          clearInterval(heartbeat);
          clearInterval(liveness);
          const left = (open.get(key) ?? 1) - 1;
          if (left === 0) open.delete(key);
          else open.set(key, left);
        });
        await pump();
      },
    );
  };
}
