import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { IdParams } from '@kassa/contracts';
import { KassaError } from '../../kernel/errors.ts';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import { alertOperator } from '../notifications/index.ts';
import { recordRiskLabel } from '../risk/index.ts';
import { recordAudit } from '../audit/index.ts';
import { paymentWireId, selectPayment } from './payment-record.ts';
import type { PaymentRouteContext } from './payment-route-context.ts';

/**
 * "I didn't make this": the payer reports a transfer or payment as fraud. The report becomes a
 * label for the next training run, an operator alert (the account needs a look: a stolen
 * session or password) and an audit entry. Reporting again changes nothing and answers 200.
 * No money moves: a refund or reversal is the operator's decision.
 */
export function fraudReportRoutes(deps: PaymentRouteContext) {
  const { db, clock } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    for (const [kind, prefix] of [
      ['transfer', 'trf'],
      ['payment', 'pay'],
    ] as const) {
      app.post(
        `/v1/${kind}s/:id/report_fraud`,
        {
          schema: {
            tags: ['payments'],
            summary: `Report a ${kind} you did not make (payer): a fraud label and an operator review`,
            params: IdParams,
          },
        },
        async (request, reply) => {
          const user = requireUser(request);
          const payment = await selectPayment(db.pool, idOrNotFound(prefix, request.params.id), {
            kind,
          });
          if (payment === null || payment.payerUserId !== user.userId)
            throw new KassaError('resource_not_found');
          const now = clock.now();
          const recorded = await recordRiskLabel(db.pool, {
            paymentId: payment.id,
            source: 'payer_report',
            label: 'fraud',
            note: null,
            at: now,
          });
          const first = recorded.added;
          if (first) {
            const wire = paymentWireId(payment);
            await alertOperator(db.pool, {
              incident: wire,
              type: 'fraud_reported',
              title: 'Fraud reported by a payer',
              body: `The payer of ${wire} says they did not make it. Look at the account (sessions, devices, recent payments) and decide on a refund.`,
              objectId: payment.id,
            });
            await recordAudit(
              db,
              {
                actor: `user:${user.userId}`,
                action: 'risk.fraud_reported',
                object: `${kind}:${wire}`,
                outcome: 'success',
                ip: request.ip,
                details: {},
              },
              now,
            );
          }
          return reply.code(first ? 201 : 200).send({
            object: 'fraud_report' as const,
            payment: paymentWireId(payment),
            label: 'fraud' as const,
            received_at: recorded.at.toISOString(),
          });
        },
      );
    }
  };
}
