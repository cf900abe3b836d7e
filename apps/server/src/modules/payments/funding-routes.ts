import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { FundingBody } from '@kassa/contracts';
import { idOrNotFound, requireOperator } from '../../platform/request-context.ts';
import { idempotencyClaim } from '../idempotency/index.ts';
import { KassaError } from '../../kernel/errors.ts';
import { fundingCommand } from './funding-command.ts';
import { currencyOf, type PaymentRouteContext } from './payment-route-context.ts';

/** Operator funding of a wallet from the system funding account. */
export function fundingRoutes(deps: PaymentRouteContext) {
  const { clock, ledger, systemAccounts, directory, send, audit } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/admin/funding',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags: ['admin'],
          summary: 'Credit a wallet from the system funding account (operator)',
          body: FundingBody,
        },
      },
      async (request, reply) => {
        requireOperator(request);
        const claim = idempotencyClaim(request, true);
        const body = request.body;
        const currency = currencyOf(body.currency);
        const wallet = await directory.wallet(idOrNotFound('wal', body.wallet, 'wallet'));
        if (wallet === null)
          throw new KassaError('resource_not_found', 'No such wallet.', { param: 'wallet' });
        if (wallet.currency !== currency)
          throw new KassaError('currency_mismatch', `That wallet holds ${wallet.currency}.`, {
            param: 'currency',
          });
        const response = await ledger.writer.execute(
          fundingCommand(clock, {
            claim: claim!,
            requestId: request.id,
            wallet,
            fundingAccountId: await systemAccounts.accountId('funding', currency),
            amount: BigInt(body.amount),
            currency,
            description: body.description ?? null,
          }),
        );
        await audit(request, response, 'wallet.funded', `wallet:${body.wallet}`);
        return send(reply, 'funding', response);
      },
    );
  };
}
