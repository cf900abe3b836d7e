import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { answers, IdParams, ListQuery, Wallet } from '@kassa/contracts';
import { idOrNotFound, pageLimit, requireUser } from '../../platform/request-context.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import { walletView } from './payment-views.ts';
import { decodeHistoryCursor, walletHistory } from './wallet-history.ts';
import type { PaymentRouteContext } from './payment-route-context.ts';

/** A display balance may be this old when an invalidation was missed (Redis blip). */
const walletCacheTtlSeconds = 30;

/** Wallets: a balance and its history, to their owner. */
export function walletRoutes(deps: PaymentRouteContext) {
  const { db, ledger, directory } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/wallets/:id',
      {
        schema: {
          tags: ['wallets'],
          summary: 'A wallet and its balances',
          params: IdParams,
          response: answers(Wallet),
        },
      },
      async (request) => {
        const user = requireUser(request);
        const wallet = await directory.wallet(idOrNotFound('wal', request.params.id));
        if (wallet === null || wallet.userId !== user.userId)
          throw new KassaError('resource_not_found');
        // The display balance comes from Redis when it is there; ledger commits delete it.
        const cached = await deps.cache.get<ReturnType<typeof walletView>>(`wallet:${wallet.id}`);
        if (cached !== null) return cached;
        const account = (await ledger.getAccounts(db.pool, [wallet.id])).get(wallet.id);
        if (account === undefined) throw new KassaError('resource_not_found');
        const view = walletView(account);
        await deps.cache.set(`wallet:${wallet.id}`, view, walletCacheTtlSeconds);
        return view;
      },
    );

    app.get(
      '/v1/wallets/:id/transactions',
      {
        schema: {
          tags: ['wallets'],
          summary: 'Wallet history, newest first',
          params: IdParams,
          querystring: ListQuery,
        },
      },
      async (request) => {
        const user = requireUser(request);
        const wallet = await directory.wallet(idOrNotFound('wal', request.params.id));
        if (wallet === null || wallet.userId !== user.userId)
          throw new KassaError('resource_not_found');
        const cursor = decodeHistoryCursor(request.query.starting_after, decodeId);
        if (cursor === undefined)
          throw new KassaError('invalid_id', 'starting_after is not an id from this list.', {
            param: 'starting_after',
          });
        return walletHistory(db.pool, wallet.id, cursor, pageLimit(request.query.limit));
      },
    );
  };
}
