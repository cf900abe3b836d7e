import {
  IdParams,
  LedgerAccountBody,
  LedgerBatchBody,
  type LedgerTransferInput,
} from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, requireOperator } from '../../platform/request-context.ts';
import { idempotencyClaim, sendStored } from '../idempotency/index.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId, encodeId, newUuid } from '../../kernel/ids.ts';
import { isCurrency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
import { runIdempotent } from '../idempotency/index.ts';
import {
  accountFlags,
  transferFlags,
  type Account,
  type TransferInput,
  type TransferOutcome,
} from './domain/ledger-types.ts';
import type { Ledger } from './ledger.ts';

function accountView(account: Account) {
  return {
    id: encodeId('acc', account.id),
    object: 'ledger_account' as const,
    currency: account.currency,
    code: account.code,
    flags: {
      debits_must_not_exceed_credits:
        (account.flags & accountFlags.debitsMustNotExceedCredits) !== 0,
      credits_must_not_exceed_debits:
        (account.flags & accountFlags.creditsMustNotExceedDebits) !== 0,
    },
    debits_posted: account.debitsPosted.toString(),
    credits_posted: account.creditsPosted.toString(),
    debits_pending: account.debitsPending.toString(),
    credits_pending: account.creditsPending.toString(),
  };
}

function toInput(item: LedgerTransferInput, index: number): TransferInput {
  const decode = (prefix: 'acc' | 'ltr', wire: string | undefined, param: string) => {
    if (wire === undefined) return undefined;
    const id = decodeId(prefix, wire);
    if (id === null)
      throw new KassaError('invalid_id', undefined, { param: `transfers.${index}.${param}` });
    return id;
  };
  const flags = item.flags ?? {};
  return {
    id: decode('ltr', item.id, 'id') ?? '',
    debitAccountId: decode('acc', item.debit_account, 'debit_account'),
    creditAccountId: decode('acc', item.credit_account, 'credit_account'),
    amount: BigInt(item.amount ?? 0),
    code: item.code ?? 'transfer',
    flags:
      (flags.linked === true ? transferFlags.linked : 0) |
      (flags.pending === true ? transferFlags.pending : 0) |
      (flags.post_pending === true ? transferFlags.postPending : 0) |
      (flags.void_pending === true ? transferFlags.voidPending : 0),
    pendingId: decode('ltr', item.pending_id, 'pending_id'),
    timeoutSeconds: item.timeout_seconds ?? 0,
  };
}

function outcomeView(outcome: TransferOutcome | undefined, index: number, id: string) {
  if (outcome === undefined || outcome.status === 'rejected') {
    return {
      index,
      id,
      status: 'rejected',
      code: outcome?.status === 'rejected' ? outcome.code : 'linked_event_failed',
    };
  }
  return { index, id, status: outcome.status, amount: outcome.transfer.amount.toString() };
}

/** Operator routes of the ledger: accounts, batches of up to 8,000 transfers, verification. */
export function ledgerRoutes(deps: { db: Db; ledger: Ledger }) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    app.post(
      '/v1/admin/ledger/accounts',
      { schema: { tags, summary: 'Open a ledger account (operator)', body: LedgerAccountBody } },
      async (request, reply) => {
        requireOperator(request);
        const body = request.body;
        if (!isCurrency(body.currency))
          throw new KassaError('invalid_currency', undefined, { param: 'currency' });
        const currency = body.currency;
        const flags =
          (body.flags?.debits_must_not_exceed_credits === true
            ? accountFlags.debitsMustNotExceedCredits
            : 0) |
          (body.flags?.credits_must_not_exceed_debits === true
            ? accountFlags.creditsMustNotExceedDebits
            : 0);
        const stored = await runIdempotent(
          deps.db,
          idempotencyClaim(request, false),
          async (client) => {
            const id = newUuid();
            await deps.ledger.openAccounts(client, [
              { id, currency, code: body.code ?? 'operator', flags },
            ]);
            const account = {
              id,
              currency,
              code: body.code ?? 'operator',
              flags,
              debitsPosted: 0n,
              creditsPosted: 0n,
              debitsPending: 0n,
              creditsPending: 0n,
            };
            return { statusCode: 201, body: accountView(account) };
          },
        );
        return sendStored(reply, stored);
      },
    );

    app.get(
      '/v1/admin/ledger/accounts/:id',
      { schema: { tags, summary: 'A ledger account (operator)', params: IdParams } },
      async (request) => {
        requireOperator(request);
        const id = idOrNotFound('acc', request.params.id);
        const account = (await deps.ledger.getAccounts(deps.db.pool, [id])).get(id);
        if (account === undefined) throw new KassaError('resource_not_found');
        return accountView(account);
      },
    );

    app.post(
      '/v1/admin/ledger/transfers',
      {
        bodyLimit: 4 * 1024 * 1024,
        schema: {
          tags,
          summary: 'Post a batch of up to 8,000 ledger transfers in one transaction (operator)',
          description:
            'Each transfer gets its own result. Linked transfers commit all or nothing; one chain\'s rejection never undoes another. Resending a transfer id with the same fields returns "exists".',
          body: LedgerBatchBody,
        },
      },
      async (request) => {
        requireOperator(request);
        const inputs = request.body.transfers.map(toInput);
        const outcomes = await deps.ledger.postBatch(inputs);
        return {
          object: 'list',
          data: request.body.transfers.map((item, i) => outcomeView(outcomes[i], i, item.id)),
          has_more: false,
        };
      },
    );

    app.get(
      '/v1/admin/ledger/verify',
      {
        schema: {
          tags,
          summary:
            'Recompute every balance from the journal and prove Σdebits = Σcredits (operator)',
        },
      },
      async (request) => {
        requireOperator(request);
        return deps.ledger.verify();
      },
    );
  };
}
