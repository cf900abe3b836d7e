import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requirePrincipal } from '../../platform/request-context.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { findReceipt } from './receipt.ts';
import { receiptPage } from './receipt-page.ts';

/** `GET /v1/receipts/{id}`: JSON, or a printable page with `Accept: text/html`. */
export function receiptRoutes(deps: { db: Db }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/receipts/:id',
      {
        schema: {
          tags: ['receipts'],
          summary:
            'Receipt of a succeeded payment, transfer, refund or top-up (`Accept: text/html` for a printable page)',
          params: Type.Object(
            { id: Type.String({ minLength: 1, maxLength: 64 }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const receipt = await findReceipt(
          deps.db.pool,
          requirePrincipal(request),
          request.params.id,
        );
        if (receipt === null)
          throw new KassaError('resource_not_found', undefined, { param: 'id' });
        const wantsHtml = (request.headers.accept ?? '').includes('text/html');
        if (!wantsHtml) return receipt;
        return reply
          .type('text/html; charset=utf-8')
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
          )
          .send(receiptPage(receipt));
      },
    );
  };
}
