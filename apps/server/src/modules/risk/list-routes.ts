import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId, encodeId, type IdPrefix } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { requireFraudDesk, operatorActor } from '../../platform/request-context.ts';
import { recordAudit } from '../audit/index.ts';
import {
  activeListEntries,
  addListEntry,
  removeListEntry,
  type ListSubject,
  type RiskListEntry,
} from './risk-lists.ts';

const prefixes: Readonly<Record<ListSubject, IdPrefix>> = {
  user: 'usr',
  device: 'dev',
  payee: 'wal',
};

const CreateListEntryBody = Type.Object(
  {
    subject: Type.Union([Type.Literal('user'), Type.Literal('device'), Type.Literal('payee')]),
    value: Type.String({ minLength: 1, maxLength: 64, description: 'A usr_, dev_ or wal_ id.' }),
    action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

function view(e: RiskListEntry) {
  return {
    object: 'risk_list_entry' as const,
    id: encodeId('rle', e.id),
    subject: e.subject,
    value: encodeId(prefixes[e.subject], e.value),
    action: e.action,
    note: e.note,
    expires_at: e.expiresAt?.toISOString() ?? null,
    created_at: e.createdAt.toISOString(),
  };
}

/**
 * Allow and block lists (operator): a block stops every movement from a user or device, or to
 * a payee wallet, until it expires or is removed; an allow lets one through whatever the model
 * says (a snooze). Each change is audited.
 */
export function riskListRoutes(deps: { db: Db; clock: Clock }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    app.get(
      '/v1/admin/risk/lists',
      { schema: { tags, summary: 'Allow and block entries in force (operator)' } },
      async (request) => {
        requireFraudDesk(request);
        const entries = await activeListEntries(deps.db.pool, deps.clock.now());
        return { object: 'list' as const, data: entries.map(view), has_more: false };
      },
    );

    app.post(
      '/v1/admin/risk/lists',
      {
        schema: {
          tags,
          summary: 'Block or allow a user, a device or a payee wallet (operator)',
          body: CreateListEntryBody,
        },
      },
      async (request, reply) => {
        requireFraudDesk(request);
        const body = request.body;
        const value = decodeId(prefixes[body.subject], body.value);
        if (value === null)
          throw new KassaError(
            'invalid_request',
            `value must be a ${prefixes[body.subject]}_ id for subject ${body.subject}.`,
            { param: 'value' },
          );
        const now = deps.clock.now();
        const expiresAt = body.expires_at === undefined ? null : new Date(body.expires_at);
        if (expiresAt !== null && expiresAt.getTime() <= now.getTime())
          throw new KassaError('invalid_request', 'expires_at must be in the future.', {
            param: 'expires_at',
          });
        const entry = await addListEntry(deps.db.pool, {
          subject: body.subject,
          value,
          action: body.action,
          note: body.note ?? null,
          expiresAt,
          createdAt: now,
        });
        await recordAudit(
          deps.db,
          {
            actor: operatorActor(request),
            action: `risk.list.${body.action}`,
            object: `${body.subject}:${body.value}`,
            outcome: 'success',
            ip: request.ip,
            details: { entry: encodeId('rle', entry.id) },
          },
          now,
        );
        return reply.code(201).send(view(entry));
      },
    );

    app.delete(
      '/v1/admin/risk/lists/:id',
      {
        schema: {
          tags,
          summary: 'Remove an allow or block entry (operator)',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        },
      },
      async (request) => {
        requireFraudDesk(request);
        const id = decodeId('rle', request.params.id);
        if (id === null || !(await removeListEntry(deps.db.pool, id)))
          throw new KassaError('resource_not_found', undefined, { param: 'id' });
        await recordAudit(
          deps.db,
          {
            actor: operatorActor(request),
            action: 'risk.list.removed',
            object: request.params.id,
            outcome: 'success',
            ip: request.ip,
            details: {},
          },
          deps.clock.now(),
        );
        return { id: request.params.id, deleted: true };
      },
    );
  };
}
