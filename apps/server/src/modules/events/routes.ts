import { IdParams } from '@kassa/contracts';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, pageLimit, requirePrincipal } from '../../platform/request-context.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { getEvent, listEvents, type EventReader } from './event-store.ts';

const EventsQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$' })),
    starting_after: Type.Optional(Type.String({ maxLength: 64 })),
    ending_before: Type.Optional(Type.String({ maxLength: 64 })),
    type: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

function reader(principal: ReturnType<typeof requirePrincipal>): EventReader {
  if (principal.kind === 'user') return { userId: principal.userId };
  if (principal.kind === 'merchant') return { merchantId: principal.merchantId };
  throw new KassaError('forbidden');
}

/** `GET /v1/events` and `GET /v1/events/{id}`: events about the caller's objects. */
export function eventRoutes(deps: { db: Db }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['events'];

    app.get(
      '/v1/events',
      {
        schema: {
          tags,
          summary: 'Events about your objects, newest first',
          querystring: EventsQuery,
        },
      },
      async (request) => {
        const who = reader(requirePrincipal(request));
        const cursor = request.query.starting_after;
        const startingAfter = cursor === undefined ? null : decodeId('evt', cursor);
        if (cursor !== undefined && startingAfter === null)
          throw new KassaError('invalid_id', undefined, { param: 'starting_after' });
        const before = request.query.ending_before;
        const endingBefore = before === undefined ? null : decodeId('evt', before);
        if (before !== undefined && endingBefore === null)
          throw new KassaError('invalid_id', undefined, { param: 'ending_before' });
        const page = await listEvents(deps.db.pool, who, {
          type: request.query.type ?? null,
          startingAfter,
          endingBefore,
          limit: pageLimit(request.query.limit),
        });
        return { object: 'list', data: page.data, has_more: page.hasMore };
      },
    );

    app.get(
      '/v1/events/:id',
      { schema: { tags, summary: 'One event (yours only)', params: IdParams } },
      async (request) => {
        const who = reader(requirePrincipal(request));
        const event = await getEvent(deps.db.pool, who, idOrNotFound('evt', request.params.id));
        if (event === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
        return event;
      },
    );
  };
}
