import { CreatePayoutBody, CreateTopupBody, IdParams } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import { idempotencyClaim, sendStored } from '../idempotency/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { isCurrency, type Currency } from '../../kernel/money.ts';
import type { Logger } from '../../platform/log.ts';
import { verifyProcessorSignature } from './processor-signature.ts';
import type { Rails } from './rails-flows.ts';
import { runDecided, type StepUpPolicy } from '../payments/index.ts';
import {
  applied,
  blockOrAllow,
  effectiveDecision,
  type MovementInput,
  type RiskAssessment,
  type RiskEngine,
} from '../risk/index.ts';

/** Scores a top-up or payout; a block refuses it (402 `risk_blocked`) before anything starts. */
async function assessOrRefuse(
  risk: RiskEngine,
  input: MovementInput,
): Promise<RiskAssessment | null> {
  const assessed = applied(await risk.assess(input), (decision) =>
    input.kind === 'payout'
      ? decision === 'review'
        ? 'step_up'
        : decision
      : blockOrAllow(decision),
  );
  if (effectiveDecision(assessed) === 'block') throw new KassaError('risk_blocked');
  return assessed;
}

function currency(value: string): Currency {
  if (!isCurrency(value))
    throw new KassaError('invalid_currency', undefined, { param: 'currency' });
  return value;
}

export function railsRoutes(deps: {
  rails: Rails;
  /** Device signatures and second-factor rules, as for transfers (payments module). */
  stepUp: StepUpPolicy;
  clock: Clock;
  logger: Logger;
  /** Verifies `Processor-Signature` (never the API key Kassa sends to the processor). */
  callbackSecret: string;
  /** The fraud engine: block refuses; a payout it doubts needs a second factor. */
  risk: RiskEngine;
}) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/topups',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags: ['top-ups and payouts'],
          summary: 'Top up a wallet from a saved card (through the processor)',
          description:
            '201 with the finished top-up (`succeeded` or `failed` with `failure_code`), or 202 with `outcome_unknown` when the processor did not answer: retry with the same Idempotency-Key, or wait (the worker resolves it).',
          body: CreateTopupBody,
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const claim = idempotencyClaim(request, true);
        if (claim === null) throw new KassaError('idempotency_key_missing');
        // A device-bound session's requests are signed by its device: a copied token alone
        // cannot charge the user's card.
        await deps.stepUp.requireDevice(user, request);
        const amount = BigInt(request.body.amount);
        const topupCurrency = currency(request.body.currency);
        // A retry of a top-up under way resumes it; a new one is scored first. The card's
        // issuer steps up with 3-D Secure, so only a block applies here (docs/fraud.md).
        const risk = (await deps.rails.knownFlow(claim))
          ? null
          : await assessOrRefuse(deps.risk, {
              kind: 'top_up',
              userId: user.userId,
              walletId: null,
              currency: topupCurrency,
              deviceId: user.deviceId,
              amountMinor: amount,
              payeeAccountId: null,
              merchantCategory: null,
              at: deps.clock.now(),
            });
        const response = await deps.rails.startTopup({
          userId: user.userId,
          claim,
          paymentMethodId: idOrNotFound('pm', request.body.payment_method, 'payment_method'),
          amount,
          currency: topupCurrency,
          risk,
        });
        return sendStored(reply, response);
      },
    );

    app.post(
      '/v1/payouts',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags: ['top-ups and payouts'],
          summary: 'Send wallet money to a bank account (held until the bank confirms)',
          description:
            "201 with the finished payout (`succeeded` = paid, or `failed` with the hold released), or 202 with `outcome_unknown`. Insufficient funds: 402, nothing stored. A payout that needs a second factor (its amount, the day's total, an untrusted device) is refused with 403 `step_up_required` until it is sent again with `code` (a current TOTP code).",
          body: CreatePayoutBody,
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const claim = idempotencyClaim(request, true);
        if (claim === null) throw new KassaError('idempotency_key_missing');
        const amount = BigInt(request.body.amount);
        const payoutCurrency = currency(request.body.currency);
        const start = (risk: RiskAssessment | null) =>
          deps.rails.startPayout({
            userId: user.userId,
            claim,
            amount,
            currency: payoutCurrency,
            bankAccount: request.body.bank_account,
            risk,
          });
        // A retry of a payout already under way resumes it; a new one passes risk and
        // step-up first. A payout the engine doubts (step_up or review) needs a second factor.
        if (await deps.rails.knownFlow(claim)) return sendStored(reply, await start(null));
        const risk = await assessOrRefuse(deps.risk, {
          kind: 'payout',
          userId: user.userId,
          walletId: null,
          currency: payoutCurrency,
          deviceId: user.deviceId,
          amountMinor: amount,
          payeeAccountId: null,
          merchantCategory: null,
          at: deps.clock.now(),
        });
        const decision = await deps.stepUp.decide(
          request,
          user,
          claim,
          'payout',
          amount,
          payoutCurrency,
          effectiveDecision(risk) !== 'allow',
        );
        if (decision.reason !== null) {
          const code = request.body.code;
          if (code === undefined)
            throw new KassaError('step_up_required', undefined, { param: 'code' });
          await deps.stepUp.verifyCode(user.userId, code, request.ip, 'payout');
        }
        return sendStored(reply, await runDecided(decision, () => start(risk)));
      },
    );

    for (const [path, kind, prefix] of [
      ['/v1/topups/:id', 'topup', 'top'],
      ['/v1/payouts/:id', 'payout', 'po'],
    ] as const) {
      app.get(
        path,
        {
          schema: {
            tags: ['top-ups and payouts'],
            summary: `The ${kind === 'topup' ? 'top-up' : 'payout'} (owner only)`,
            params: IdParams,
          },
        },
        async (request) => {
          const user = requireUser(request);
          const found = await deps.rails.view(
            user.userId,
            kind,
            idOrNotFound(prefix, request.params.id),
          );
          if (found === null)
            throw new KassaError('resource_not_found', undefined, { param: 'id' });
          return found;
        },
      );
    }

    app.post(
      '/v1/processor/callbacks',
      {
        config: { public: true },
        schema: {
          tags: ['top-ups and payouts'],
          summary: 'Processor callbacks (signed with the callback secret; hints only)',
          security: [],
          hide: true,
        },
      },
      async (request, reply) => {
        const signature = request.headers['processor-signature'];
        if (
          !verifyProcessorSignature(
            deps.callbackSecret,
            typeof signature === 'string' ? signature : undefined,
            request.rawBody ?? '',
            deps.clock.now(),
          )
        )
          throw new KassaError('authentication_required', 'bad processor signature');
        // Only a hint at which flow to look at: Kassa asks the processor before anything moves.
        const event = request.body as { type?: unknown; data?: { object?: unknown } } | null;
        const result = await deps.rails.onProcessorEvent(event?.data?.object);
        deps.logger.debug({ type: event?.type, result }, 'processor callback');
        return reply.code(200).send({ received: true, result });
      },
    );
  };
}
