import { answers, Recipient, RecipientLookupBody } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/request-context.ts';
import { KassaError } from '../../kernel/errors.ts';
import { isCurrency } from '../../kernel/money.ts';
import type { Recipients } from './recipients.ts';

/**
 * Who a payment would go to, before it is made: the app shows the masked display name and
 * whether this is a first payment on its review screen. Unknown recipients count toward the
 * payer's hourly limit of distinct unknown recipients (recipients.ts).
 */
export function recipientRoutes(deps: { recipients: Recipients }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/v1/recipients/lookup',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags: ['payments'],
          summary: 'Who a transfer to `to` would reach: a masked display name (rate-limited)',
          body: RecipientLookupBody,
          response: answers(Recipient, '200'),
        },
      },
      async (request) => {
        const user = requireUser(request);
        const { to, currency } = request.body;
        if (!isCurrency(currency))
          throw new KassaError('invalid_currency', undefined, { param: 'currency' });
        const found = await deps.recipients.resolve(user.userId, to, currency);
        if (found.wallet.userId === user.userId)
          throw new KassaError('recipient_is_sender', undefined, { param: 'to' });
        return {
          object: 'recipient' as const,
          to,
          display_name: found.displayName,
          first_payment: found.firstPayment,
        };
      },
    );
  };
}
