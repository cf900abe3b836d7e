import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { IdParams, ListQuery } from '@kassa/contracts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import { pageLimit, requireFraudDesk } from '../../platform/request-context.ts';
import { idempotencyClaim } from '../idempotency/index.ts';
import { listUnderReview, selectPayment } from './payment-record.ts';
import type { PaymentRouteContext } from './payment-route-context.ts';
import { reviewCommand, reviewView, type ReviewMerchant } from './review-command.ts';

/** A review's id is its payment's or transfer's id. */
function reviewedPaymentId(wire: string): string {
  const id = decodeId('pay', wire) ?? decodeId('trf', wire);
  if (id === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
  return id;
}

/** The review queue: payments the risk engine held, for an operator to approve or decline. */
export function reviewRoutes(deps: PaymentRouteContext) {
  const { db, clock, ledger, systemAccounts, directory, send, audit } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    app.get(
      '/v1/admin/risk/reviews',
      {
        schema: {
          tags,
          summary: 'Payments and transfers held for review, oldest first (operator)',
          querystring: ListQuery,
        },
      },
      async (request) => {
        requireFraudDesk(request);
        const limit = pageLimit(request.query.limit);
        const rows = await listUnderReview(db.pool, { limit: limit + 1 });
        return {
          object: 'list' as const,
          data: rows.slice(0, limit).map(reviewView),
          has_more: rows.length > limit,
        };
      },
    );

    for (const verdict of ['approve', 'decline'] as const) {
      app.post(
        `/v1/admin/risk/reviews/:id/${verdict}`,
        {
          config: { rateLimit: 'money' },
          schema: {
            tags,
            summary:
              verdict === 'approve'
                ? 'Approve a held payment: the money is posted (operator)'
                : 'Decline a held payment: the hold is released (operator)',
            params: IdParams,
          },
        },
        async (request, reply) => {
          requireFraudDesk(request);
          const claim = idempotencyClaim(request, true);
          const paymentId = reviewedPaymentId(request.params.id);
          const held = await selectPayment(db.pool, paymentId);
          let merchant: ReviewMerchant = null;
          const record =
            held?.merchantId == null ? null : await directory.merchant(held.merchantId);
          if (record !== null)
            merchant = {
              record,
              feesAccountId: await systemAccounts.accountId('fees', record.currency),
            };
          const response = await ledger.writer.execute(
            reviewCommand(clock, {
              claim: claim!,
              requestId: request.id,
              paymentId,
              verdict,
              merchant,
            }),
          );
          await audit(request, response, `risk.review.${verdict}d`, `payment:${request.params.id}`);
          return send(reply, `review_${verdict}`, response);
        },
      );
    }
  };
}
