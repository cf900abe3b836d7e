import {
  answers,
  CaptureBody,
  ConfirmBody,
  CreatePaymentBody,
  CreateRefundBody,
  CreateTransferBody,
  FundingBody,
  IdParams,
  ListOf,
  ListQuery,
  Payment,
  Transfer,
  Wallet,
} from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  idOrNotFound,
  pageLimit,
  requireMerchant,
  requireOperator,
  requirePrincipal,
  requireUser,
} from '../../platform/request-context.ts';
import { idempotencyClaim, sendStored } from '../idempotency/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import { isCurrency, type Currency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { ReadCache } from '../../platform/redis-cache.ts';
import type { MerchantRecord, StepUpVerifier, WalletRecord } from '../identity/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { Ledger } from '../ledger/index.ts';
import { cancelCommand } from './cancel-command.ts';
import { confirmCommand } from './confirm-command.ts';
import { createDirectory, type Directory } from './directory.ts';
import { captureCommand } from './capture-command.ts';
import { fundingCommand } from './funding-command.ts';
import { merchantPaymentCommand } from './merchant-payment-command.ts';
import type { CommandResponse } from './money-command.ts';
import { listPayments, selectPayment } from './payment-record.ts';
import { paymentView, transferView, walletView } from './payment-views.ts';
import { refundCommand } from './refund-command.ts';
import type { SystemAccounts } from './system-accounts.ts';
import { transferCommand } from './transfer-command.ts';
import type { Recipients } from './recipients.ts';
import { runDecided, type StepUpPolicy } from './step-up-policy.ts';
import { decodeHistoryCursor, walletHistory } from './wallet-history.ts';

/** A display balance may be this old when an invalidation was missed (Redis blip). */
const walletCacheTtlSeconds = 30;

export interface PaymentRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly systemAccounts: SystemAccounts;
  readonly metrics: Metrics;
  readonly holdTtlSeconds: number;
  /** How long a payment may wait in `requires_action` for its code. */
  readonly stepUpExpirySeconds: number;
  /** Display balances (Redis; absent or down: every read goes to PostgreSQL). */
  readonly cache: ReadCache;
  /** Whether a transfer or payment needs a second factor (spend windows, device, policy). */
  readonly stepUp: StepUpPolicy;
  readonly verifier: StepUpVerifier;
  /** Finds recipients without becoming an oracle of who has an account. */
  readonly recipients: Recipients;
}

function currencyOf(value: string): Currency {
  if (!isCurrency(value))
    throw new KassaError('invalid_currency', `Currency ${value} is not supported.`, {
      param: 'currency',
    });
  return value;
}

async function walletIn(
  directory: Directory,
  userId: string,
  currency: Currency,
): Promise<WalletRecord> {
  const wallet = await directory.userWallet(userId, currency);
  if (wallet === undefined) {
    throw new KassaError('currency_mismatch', `You have no ${currency} wallet.`, {
      param: 'currency',
    });
  }
  return wallet;
}

export function paymentRoutes(deps: PaymentRouteDeps) {
  const { db, clock, ledger, systemAccounts, metrics } = deps;
  const directory = createDirectory(db);

  /** Operator and refund actions are security-relevant: audited once they succeed. */
  async function audit(
    request: FastifyRequest,
    response: CommandResponse,
    action: string,
    object: string,
  ): Promise<void> {
    if (response.replayed || response.statusCode >= 300) return;
    const principal = request.principal;
    const actor =
      principal === null
        ? 'anonymous'
        : principal.kind === 'operator'
          ? 'operator'
          : principal.kind === 'merchant'
            ? `merchant:${principal.merchantId}`
            : `user:${principal.userId}`;
    await recordAudit(
      db,
      {
        actor,
        action,
        object,
        outcome: 'success',
        ip: request.ip,
        details: { response_id: (response.body as { id?: string }).id },
      },
      clock.now(),
    );
  }

  function send(reply: FastifyReply, kind: string, response: CommandResponse): FastifyReply {
    const outcome = response.replayed
      ? 'replayed'
      : response.statusCode < 300
        ? 'succeeded'
        : `declined`;
    metrics.payments.inc({ kind, outcome });
    return sendStored(reply, response);
  }

  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['payments'];

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
        const decision = await deps.stepUp.decide(
          request,
          user,
          claim!,
          'transfer',
          amount,
          currency,
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
        return transferView(payment, {
          fromWalletId: payment.payerAccountId,
          toWalletId: payment.payeeAccountId,
          fromUserId: payment.payerUserId,
          toUserId: payment.payeeUserId,
        });
      },
    );

    app.post(
      '/v1/payments',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags,
          summary: 'Pay a merchant',
          body: CreatePaymentBody,
          response: answers(Payment),
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const claim = idempotencyClaim(request, true);
        const body = request.body;
        const currency = currencyOf(body.currency);
        const merchant = await directory.merchant(idOrNotFound('mer', body.merchant, 'merchant'));
        if (merchant === null)
          throw new KassaError('resource_not_found', 'No such merchant.', { param: 'merchant' });
        if (merchant.currency !== currency) {
          throw new KassaError('currency_mismatch', `This merchant accepts ${merchant.currency}.`, {
            param: 'currency',
          });
        }
        const payer = await walletIn(directory, user.userId, currency);
        const amount = BigInt(body.amount);
        const feesAccountId = await systemAccounts.accountId('fees', currency);
        const decision = await deps.stepUp.decide(
          request,
          user,
          claim!,
          'payment',
          amount,
          currency,
        );
        const response = await runDecided(decision, () =>
          ledger.writer.execute(
            merchantPaymentCommand(clock, {
              claim: claim!,
              requestId: request.id,
              payer,
              merchant,
              feesAccountId,
              amount,
              currency,
              capture: body.capture ?? 'automatic',
              holdTtlSeconds: deps.holdTtlSeconds,
              description: body.description ?? null,
              stepUp: decision.reason,
            }),
          ),
        );
        return send(reply, 'payment', response);
      },
    );

    app.get(
      '/v1/payments/:id',
      {
        schema: {
          tags,
          summary: 'A payment (payer or merchant)',
          params: IdParams,
          response: answers(Payment),
        },
      },
      async (request) => {
        const principal = requirePrincipal(request);
        const payment = await selectPayment(db.pool, idOrNotFound('pay', request.params.id), {
          kind: 'payment',
        });
        const visible =
          payment !== null &&
          ((principal.kind === 'user' && payment.payerUserId === principal.userId) ||
            (principal.kind === 'merchant' && payment.merchantId === principal.merchantId));
        if (!visible) throw new KassaError('resource_not_found');
        return paymentView(payment);
      },
    );

    app.get(
      '/v1/payments',
      {
        schema: {
          tags,
          summary: 'Payments of the caller (payer or merchant), newest first',
          querystring: ListQuery,
          response: answers(ListOf(Payment)),
        },
      },
      async (request) => {
        const principal = requirePrincipal(request);
        if (principal.kind === 'operator') throw new KassaError('forbidden');
        const limit = pageLimit(request.query.limit);
        const startingAfter =
          request.query.starting_after === undefined
            ? null
            : decodeId('pay', request.query.starting_after);
        if (startingAfter === null && request.query.starting_after !== undefined) {
          throw new KassaError('invalid_id', 'starting_after must be a payment id.', {
            param: 'starting_after',
          });
        }
        const rows = await listPayments(db.pool, {
          kind: 'payment',
          startingAfter,
          limit: limit + 1,
          ...(principal.kind === 'user'
            ? { payerUserId: principal.userId }
            : { merchantId: principal.merchantId }),
        });
        return {
          object: 'list' as const,
          data: rows.slice(0, limit).map(paymentView),
          has_more: rows.length > limit,
        };
      },
    );

    app.post(
      '/v1/payments/:id/capture',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags,
          summary: 'Capture a held payment (merchant)',
          params: IdParams,
          body: CaptureBody,
        },
      },
      async (request, reply) => {
        const principal = requireMerchant(request);
        const claim = idempotencyClaim(request, true);
        const merchant = await directory.merchant(principal.merchantId);
        if (merchant === null) throw new KassaError('authentication_required');
        const response = await ledger.writer.execute(
          captureCommand(clock, {
            claim: claim!,
            requestId: request.id,
            paymentId: idOrNotFound('pay', request.params.id),
            merchant,
            feesAccountId: await systemAccounts.accountId('fees', merchant.currency),
            amount: request.body?.amount === undefined ? null : BigInt(request.body.amount),
          }),
        );
        return send(reply, 'capture', response);
      },
    );

    app.post(
      '/v1/payments/:id/cancel',
      {
        config: { rateLimit: 'money' },
        schema: { tags, summary: 'Release a held payment (merchant or payer)', params: IdParams },
      },
      async (request, reply) => {
        const principal = requirePrincipal(request);
        if (principal.kind === 'operator') throw new KassaError('forbidden');
        const claim = idempotencyClaim(request, true);
        const response = await ledger.writer.execute(
          cancelCommand(clock, {
            claim: claim!,
            requestId: request.id,
            paymentId: idOrNotFound('pay', request.params.id),
            actor:
              principal.kind === 'user'
                ? { payerUserId: principal.userId }
                : { merchantId: principal.merchantId },
          }),
        );
        return send(reply, 'cancel', response);
      },
    );

    app.post(
      '/v1/refunds',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags,
          summary: 'Refund a payment, fully or partly (merchant)',
          body: CreateRefundBody,
        },
      },
      async (request, reply) => {
        const principal = requireMerchant(request);
        const claim = idempotencyClaim(request, true);
        const merchant = await directory.merchant(principal.merchantId);
        if (merchant === null) throw new KassaError('authentication_required');
        const body = request.body;
        const response = await ledger.writer.execute(
          refundCommand(clock, {
            claim: claim!,
            requestId: request.id,
            paymentId: idOrNotFound('pay', body.payment, 'payment'),
            merchant,
            feesAccountId: await systemAccounts.accountId('fees', merchant.currency),
            amount: body.amount === undefined ? null : BigInt(body.amount),
            reason: body.reason ?? null,
          }),
        );
        await audit(request, response, 'refund.created', `payment:${body.payment}`);
        return send(reply, 'refund', response);
      },
    );

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
