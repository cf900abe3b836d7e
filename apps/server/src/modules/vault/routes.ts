import { CreatePaymentMethodBody, IdParams } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import { idempotencyClaim, sendStored } from '../idempotency/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import { runIdempotent } from '../idempotency/index.ts';
import type { CardVault } from './card-vault.ts';

/** Card entry goes straight to the vault; what comes back is a token and display fields. */
export function vaultRoutes(deps: { db: Db; clock: Clock; vault: CardVault }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['payment methods'];

    app.post(
      '/v1/payment_methods',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags,
          summary:
            'Save a card: returns a pm_ token, brand, BIN and last 4 (the security code is checked, never stored)',
          body: CreatePaymentMethodBody,
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const claim = idempotencyClaim(request, false);
        // The request fingerprint is a hash, so a stored claim holds no card data; the stored
        // response holds only the token and display fields.
        const stored = await runIdempotent(deps.db, claim, async () => {
          const { created, view } = await deps.vault.storeCard(user.userId, request.body.card);
          return { statusCode: created ? 201 : 200, body: view };
        });
        if (!stored.replayed) {
          await recordAudit(
            deps.db,
            {
              actor: `user:${user.userId}`,
              action: 'vault.card_stored',
              object: (stored.body as { id: string }).id,
              outcome: 'success',
              ip: request.ip,
            },
            deps.clock.now(),
          );
        }
        return sendStored(reply, stored);
      },
    );

    app.get(
      '/v1/payment_methods',
      { schema: { tags, summary: 'Saved cards of the caller' } },
      async (request) => {
        const user = requireUser(request);
        return { object: 'list', data: await deps.vault.listCards(user.userId), has_more: false };
      },
    );

    app.delete(
      '/v1/payment_methods/:id',
      {
        schema: {
          tags,
          summary: 'Remove a card (its key material is destroyed)',
          params: IdParams,
        },
      },
      async (request) => {
        const user = requireUser(request);
        const id = idOrNotFound('pm', request.params.id);
        if (!(await deps.vault.deleteCard(user.userId, id)))
          throw new KassaError('resource_not_found');
        await recordAudit(
          deps.db,
          {
            actor: `user:${user.userId}`,
            action: 'vault.card_deleted',
            object: request.params.id,
            outcome: 'success',
            ip: request.ip,
          },
          deps.clock.now(),
        );
        return { id: request.params.id, object: 'payment_method', deleted: true };
      },
    );
  };
}
