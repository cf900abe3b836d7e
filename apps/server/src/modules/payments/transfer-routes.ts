import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { answers, CreateTransferBody, IdParams, Transfer } from '@kassa/contracts';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import { idempotencyClaim } from '../idempotency/index.ts';
import { KassaError } from '../../kernel/errors.ts';
import { selectPayment } from './payment-record.ts';
import { storedTransferView, transferForPayee } from './payment-views.ts';
import { transferCommand } from './transfer-command.ts';
import { runDecided } from './step-up-policy.ts';
import { currencyOf, walletIn, type PaymentRouteContext } from './payment-route-context.ts';
import { effectiveDecision } from '../risk/index.ts';

/** P2P transfers: send, and read one as its sender or recipient. */
export function transferRoutes(deps: PaymentRouteContext) {
  const { db, clock, ledger, directory, send } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['payments'];

    app.post(
      '/v1/transfers',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags,
          summary: 'Send money to another user (P2P)',
          body: CreateTransferBody,
          response: answers(Transfer),
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const claim = idempotencyClaim(request, true);
        const body = request.body;
        const currency = currencyOf(body.currency);
        const from = await walletIn(directory, user.userId, currency);
        const to = await deps.recipients.wallet(user.userId, body.to, currency);
        if (to.id === from.id)
          throw new KassaError('recipient_is_sender', undefined, { param: 'to' });
        const amount = BigInt(body.amount);
        const risk = await deps.risk.assess({
          kind: 'p2p',
          userId: user.userId,
          walletId: from.id,
          deviceId: user.deviceId,
          amountMinor: amount,
          currency,
          payeeAccountId: to.id,
          merchantCategory: null,
          at: clock.now(),
        });
        const decision = await deps.stepUp.decide(
          request,
          user,
          claim!,
          'transfer',
          amount,
          currency,
          effectiveDecision(risk) === 'step_up',
        );
        const response = await runDecided(decision, () =>
          ledger.writer.execute(
            transferCommand(clock, {
              claim: claim!,
              requestId: request.id,
              from,
              to,
              amount,
              currency,
              description: body.description ?? null,
              stepUp: decision.reason,
              risk,
              reviewTtlSeconds: deps.reviewTtlSeconds,
            }),
          ),
        );
        return send(reply, 'transfer', response);
      },
    );

    app.get(
      '/v1/transfers/:id',
      {
        schema: {
          tags,
          summary: 'A transfer (sender or recipient)',
          params: IdParams,
          response: answers(Transfer),
        },
      },
      async (request) => {
        const user = requireUser(request);
        const payment = await selectPayment(db.pool, idOrNotFound('trf', request.params.id), {
          kind: 'transfer',
        });
        if (
          payment === null ||
          (payment.payerUserId !== user.userId && payment.payeeUserId !== user.userId)
        ) {
          throw new KassaError('resource_not_found');
        }
        const view = storedTransferView(payment);
        return payment.payerUserId === user.userId ? view : transferForPayee(view);
      },
    );
  };
}
