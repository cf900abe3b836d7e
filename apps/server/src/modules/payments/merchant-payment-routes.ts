import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  answers,
  CaptureBody,
  CreatePaymentBody,
  CreateRefundBody,
  IdParams,
  ListOf,
  ListQuery,
  Payment,
} from '@kassa/contracts';
import {
  idOrNotFound,
  pageLimit,
  requireMerchant,
  requirePrincipal,
  requireUser,
} from '../../platform/request-context.ts';
import { idempotencyClaim } from '../idempotency/index.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import { cancelCommand } from './cancel-command.ts';
import { captureCommand } from './capture-command.ts';
import { merchantPaymentCommand } from './merchant-payment-command.ts';
import { listPayments, selectPayment } from './payment-record.ts';
import { forMerchant, paymentView } from './payment-views.ts';
import { refundCommand } from './refund-command.ts';
import { runDecided } from './step-up-policy.ts';
import { currencyOf, walletIn, type PaymentRouteContext } from './payment-route-context.ts';
import { applied, blockOrAllow, effectiveDecision } from '../risk/index.ts';

/** Merchant payments: pay, read and list, capture, cancel, refund. */
export function merchantPaymentRoutes(deps: PaymentRouteContext) {
  const { db, clock, ledger, systemAccounts, directory, send, audit } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['payments'];

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
        const risk = await deps.risk.assess({
          kind: 'merchant_payment',
          userId: user.userId,
          walletId: payer.id,
          deviceId: user.deviceId,
          amountMinor: amount,
          currency,
          payeeAccountId: merchant.accountId,
          merchantCategory: merchant.category,
          at: clock.now(),
        });
        const decision = await deps.stepUp.decide(
          request,
          user,
          claim!,
          'payment',
          amount,
          currency,
          effectiveDecision(risk) === 'step_up',
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
              risk,
              reviewTtlSeconds: deps.reviewTtlSeconds,
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
        return principal.kind === 'merchant'
          ? forMerchant(paymentView(payment))
          : paymentView(payment);
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
          data: rows
            .slice(0, limit)
            .map((p) =>
              principal.kind === 'merchant' ? forMerchant(paymentView(p)) : paymentView(p),
            ),
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
        const paymentId = idOrNotFound('pay', body.payment, 'payment');
        // Refund abuse is scored on the customer the refund pays; a block refuses it here.
        const refunded = await selectPayment(db.pool, paymentId, { kind: 'payment' });
        const risk =
          refunded === null || refunded.merchantId !== merchant.id || refunded.payerUserId === null
            ? null
            : applied(
                await deps.risk.assess({
                  kind: 'refund',
                  userId: refunded.payerUserId,
                  walletId: refunded.payerAccountId,
                  currency: refunded.currency,
                  deviceId: null,
                  amountMinor: body.amount === undefined ? refunded.amount : BigInt(body.amount),
                  payeeAccountId: null,
                  merchantCategory: merchant.category,
                  at: clock.now(),
                }),
                blockOrAllow,
              );
        const response = await ledger.writer.execute(
          refundCommand(clock, {
            claim: claim!,
            requestId: request.id,
            paymentId,
            merchant,
            feesAccountId: await systemAccounts.accountId('fees', merchant.currency),
            amount: body.amount === undefined ? null : BigInt(body.amount),
            reason: body.reason ?? null,
            risk,
          }),
        );
        await audit(request, response, 'refund.created', `payment:${body.payment}`);
        return send(reply, 'refund', response);
      },
    );
  };
}
