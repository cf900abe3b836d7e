import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ConfirmBody, IdParams } from '@kassa/contracts';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import { idempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord } from '../identity/index.ts';
import { confirmCommand } from './confirm-command.ts';
import { selectPayment } from './payment-record.ts';
import type { PaymentRouteContext } from './payment-route-context.ts';

/** Confirming a transfer or payment waiting in `requires_action` with a 2FA code. */
export function confirmRoutes(deps: PaymentRouteContext) {
  const { db, clock, ledger, systemAccounts, directory, send } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['payments'];

    for (const kind of ['transfer', 'payment'] as const) {
      app.post(
        `/v1/${kind}s/:id/confirm`,
        {
          config: { rateLimit: 'money' },
          schema: {
            tags,
            summary: `Confirm a ${kind} waiting in requires_action with a 2FA code (moves the money once)`,
            params: IdParams,
            body: ConfirmBody,
          },
        },
        async (request, reply) => {
          const user = requireUser(request);
          const claim = idempotencyClaim(request, true);
          const paymentId = idOrNotFound(kind === 'transfer' ? 'trf' : 'pay', request.params.id);
          const existing = await selectPayment(db.pool, paymentId, { kind });
          if (existing?.status === 'requires_action' && existing.payerUserId === user.userId)
            await deps.stepUp.checkConfirmable(user.userId, existing.stepUpReason);
          let merchant: { record: MerchantRecord; feesAccountId: string } | null = null;
          const record =
            existing?.merchantId == null ? null : await directory.merchant(existing.merchantId);
          if (record !== null)
            merchant = {
              record,
              feesAccountId: await systemAccounts.accountId('fees', record.currency),
            };
          // Codes are guessed under the second-factor lockout: reserved before the check.
          const reservation = await deps.verifier.reserve(user.userId);
          const response = await ledger.writer.execute(
            confirmCommand(clock, {
              claim: claim!,
              requestId: request.id,
              kind,
              paymentId,
              userId: user.userId,
              code: request.body.code,
              checkSecondFactor: (client, userId, code) =>
                deps.verifier.check(client, userId, code),
              merchant,
              holdTtlSeconds: deps.holdTtlSeconds,
              reviewTtlSeconds: deps.reviewTtlSeconds,
              expirySeconds: deps.stepUpExpirySeconds,
            }),
          );
          const error = (response.body as { error?: { code?: string } }).error;
          if (!response.replayed && error?.code === 'invalid_2fa_code')
            await deps.verifier.failed(reservation, user.userId, request.ip, request.params.id);
          else if (response.statusCode < 300) await deps.verifier.succeeded(reservation);
          return send(reply, `${kind}_confirm`, response);
        },
      );
    }
  };
}
