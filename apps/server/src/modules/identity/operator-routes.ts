import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { idOrNotFound, requireFraudDesk, requireOperator } from '../../platform/request-context.ts';
import { recordAudit } from '../audit/index.ts';
import {
  createOperator,
  disableOperator,
  listOperators,
  type OperatorRecord,
} from './operators.ts';

const CreateOperatorBody = Type.Object(
  {
    name: Type.String({
      minLength: 2,
      maxLength: 64,
      pattern: '^[a-z0-9][a-z0-9._-]*$',
      description:
        'A unique, lowercase name (letters, digits, dot, dash, underscore), e.g. "ana.ops".',
    }),
  },
  { additionalProperties: false },
);

export function operatorView(o: OperatorRecord) {
  return {
    object: 'operator' as const,
    id: encodeId('opr', o.id),
    name: o.name,
    status: o.disabledAt === null ? ('active' as const) : ('disabled' as const),
    created_at: o.createdAt.toISOString(),
  };
}

/** Only the bootstrap key manages accounts: a named operator cannot mint a second self. */
const requireBootstrapKey = requireOperator;

/**
 * Named operator accounts (issue 15 §4): created and disabled with the bootstrap operator key,
 * each with its own key, shown once. Every change is audited.
 */
export function operatorRoutes(deps: { db: Db; clock: Clock }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    app.get(
      '/v1/admin/operators',
      { schema: { tags, summary: 'List operator accounts (operator)' } },
      async (request) => {
        requireFraudDesk(request);
        const operators = await listOperators(deps.db.pool);
        return { object: 'list' as const, data: operators.map(operatorView), has_more: false };
      },
    );

    app.post(
      '/v1/admin/operators',
      {
        schema: {
          tags,
          summary: 'Create a named operator account (bootstrap operator key; key shown once)',
          body: CreateOperatorBody,
        },
      },
      async (request, reply) => {
        requireBootstrapKey(request);
        const now = deps.clock.now();
        const created = await createOperator(deps.db.pool, request.body.name, now);
        if (created === null)
          throw new KassaError('invalid_request', 'An operator with this name exists already.', {
            param: 'name',
          });
        const view = operatorView(created.operator);
        await recordAudit(
          deps.db,
          {
            actor: 'operator',
            action: 'operator.created',
            object: `operator:${view.id}`,
            outcome: 'success',
            ip: request.ip,
            details: { name: view.name },
          },
          now,
        );
        return reply.code(201).send({ ...view, key: created.key });
      },
    );

    app.delete(
      '/v1/admin/operators/:id',
      {
        schema: {
          tags,
          summary: 'Disable an operator account: its key stops working (bootstrap operator key)',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        },
      },
      async (request) => {
        requireBootstrapKey(request);
        const id = idOrNotFound('opr', request.params.id);
        const now = deps.clock.now();
        if (!(await disableOperator(deps.db.pool, id, now)))
          throw new KassaError('resource_not_found', undefined, { param: 'id' });
        await recordAudit(
          deps.db,
          {
            actor: 'operator',
            action: 'operator.disabled',
            object: `operator:${request.params.id}`,
            outcome: 'success',
            ip: request.ip,
          },
          now,
        );
        return { id: request.params.id, object: 'operator' as const, status: 'disabled' as const };
      },
    );
  };
}
