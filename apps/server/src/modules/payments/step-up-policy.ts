import { errorCatalogue } from '@kassa/contracts';
import type { FastifyRequest } from 'fastify';
import type { StepUpSettings } from '../../config/config.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Db, Queryable } from '../../platform/db.ts';
import type { RequestDevice, StepUpVerifier } from '../identity/index.ts';
import {
  defaultStepUpLimits,
  dailyMultiple,
  isAmountReason,
  velocityWindowMinutes,
  type StepUpLimits,
  type StepUpReason,
} from './domain/step-up-rules.ts';
import { uncountSpend } from './spend-windows.ts';

/** The money-moving requests the policy decides on. */
export type MoneyKind = 'transfer' | 'payment' | 'payout';

/** The paying user, and the device their session is bound to (if any). */
export interface Payer {
  readonly userId: string;
  readonly deviceId: string | null;
}

export interface StepUpPolicyDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: Omit<StepUpSettings, 'expirySeconds'>;
  readonly verifier: StepUpVerifier;
  /** Checks the request's device signature (a bad one, or none on a bound session: 401). */
  readonly checkDevice: (user: Payer, request: FastifyRequest) => Promise<RequestDevice>;
  /** A later fraud engine plugs in here: true asks for step-up whatever the amount. */
  readonly policy?: (input: {
    userId: string;
    kind: MoneyKind;
    amountMinor: bigint;
    currency: Currency;
  }) => Promise<boolean>;
}

export interface StepUpDecision {
  /** Why the payment must wait for a second factor; null: it goes straight through. */
  readonly reason: StepUpReason | null;
  /**
   * Called once the request's answer is known (`null`: unknown): a payment counted here that
   * was declined (no money moved, replayed or not) is taken back out of the spend windows.
   */
  settle(answer: { readonly statusCode: number } | null): Promise<void>;
}

/**
 * Runs a money request decided by the step-up policy, then settles the decision: a request that
 * certainly moved no money (declined, replayed as declined, or refused with
 * `money_moved: false`) leaves the user's spend windows again.
 */
export async function runDecided<T extends { readonly statusCode: number }>(
  decision: StepUpDecision,
  run: () => Promise<T>,
): Promise<T> {
  let answer: { readonly statusCode: number } | null = null;
  try {
    const response = await run();
    answer = response;
    return response;
  } catch (error) {
    if (
      error instanceof KassaError &&
      (error.moneyMoved ?? errorCatalogue[error.code].moneyMoved) === false
    )
      answer = { statusCode: 400 };
    throw error;
  } finally {
    await decision.settle(answer);
  }
}

/** Why a second factor is needed, in the words the payer reads. */
const twoFactorRequiredMessages: Record<StepUpReason, string> = {
  amount: 'Turn on two-factor authentication to make payments of this size.',
  daily_amount:
    'Turn on two-factor authentication to send more today: this payment passes your daily amount.',
  velocity:
    'Turn on two-factor authentication to keep paying: you made many payments in the last few minutes.',
  untrusted_device: 'Turn on two-factor authentication to pay from this new device.',
  policy: 'Turn on two-factor authentication to make this payment.',
};

/**
 * Decides whether a transfer or merchant payment needs a second factor: counts it in the
 * user's spend windows first (atomically, see spend-windows.ts), then applies the rules of
 * domain/step-up-rules.ts. A user without 2FA is refused a payment that needs it; a factor
 * enrolled less than `newFactorCoolOffHours` ago cannot confirm one stepped up for its amount
 * (a stolen password plus a session could otherwise enrol its own authenticator and move money
 * at once).
 */
export function createStepUpPolicy(deps: StepUpPolicyDeps) {
  function limitsFor(currency: Currency): StepUpLimits {
    const override = deps.settings.limits.get(currency);
    if (override === undefined) return defaultStepUpLimits(currency);
    return {
      perPaymentMinor: override.perPaymentMinor,
      dailyMinor: override.dailyMinor ?? override.perPaymentMinor * dailyMultiple,
    };
  }

  /** Refuses when the user cannot answer this step-up (no factor, or one too young for it). */
  async function requireFactorFor(userId: string, reason: StepUpReason): Promise<void> {
    const enabledAt = await deps.verifier.enabledAt(userId);
    if (enabledAt === null)
      throw new KassaError('two_factor_required', twoFactorRequiredMessages[reason]);
    if (isAmountReason(reason)) refuseYoungFactor(enabledAt, deps.clock.now());
  }

  function refuseYoungFactor(enabledAt: Date, now: Date): void {
    const ready = new Date(enabledAt.getTime() + deps.settings.newFactorCoolOffHours * 3_600_000);
    if (ready.getTime() > now.getTime())
      throw new KassaError(
        'new_factor_cooling_off',
        `Two-step verification was turned on less than ${deps.settings.newFactorCoolOffHours} hours ago. Payments of this size can be confirmed from ${ready.toISOString()}.`,
        { retryAfterSeconds: Math.ceil((ready.getTime() - now.getTime()) / 1000) },
      );
  }

  return {
    limitsFor,
    /** Refuses a request of a device-bound session without that device's signature (401). */
    requireDevice: (payer: Payer, request: FastifyRequest) => deps.checkDevice(payer, request),

    async decide(
      request: FastifyRequest,
      payer: Payer,
      claim: { readonly scope: string; readonly key: string; readonly fingerprint: Buffer },
      kind: MoneyKind,
      amountMinor: bigint,
      currency: Currency,
      /** The fraud engine asks for a second factor (risk decision `step_up`). */
      flaggedByRisk = false,
    ): Promise<StepUpDecision> {
      const { userId } = payer;
      // 'unsigned' from a user with a trusted device becomes 'untrusted' in the decision.
      const device = await deps.checkDevice(payer, request);
      const flaggedByPolicy =
        flaggedByRisk || ((await deps.policy?.({ userId, kind, amountMinor, currency })) ?? false);
      const now = deps.clock.now();
      const limits = limitsFor(currency);
      // One decision at a time per user, and one per key, in one round trip (migration 0017),
      // its own transaction (so it may commit without waiting for the WAL flush: `true`):
      // parallel requests cannot all slip under a threshold, and a retry or duplicate gets the
      // first one's decision. A key already claimed decides nothing here: a retry of that
      // request replays its stored answer, another request under it is refused, and neither
      // may touch the decision the key's own request was made under.
      const [row] = await deps.db.query<{
        key_use: 'unused' | 'same' | 'different';
        reason: StepUpReason | null;
        counted: boolean;
      }>(
        `select key_use, reason, counted
           from kassa_step_up_decide($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, true)`,
        [
          claim.scope,
          claim.key,
          claim.fingerprint,
          userId,
          currency,
          amountMinor.toString(),
          now,
          limits.perPaymentMinor.toString(),
          limits.dailyMinor.toString(),
          device,
          deps.settings.velocityMax,
          velocityWindowMinutes,
          flaggedByPolicy,
        ],
      );
      if (row?.key_use === 'different') throw new KassaError('idempotency_key_reused');
      const decided = {
        reason: row?.key_use === 'same' ? null : (row?.reason ?? null),
        counted: row?.counted === true,
      };
      if (decided.reason !== null) await requireFactorFor(userId, decided.reason);
      return {
        reason: decided.reason,
        async settle(answer) {
          if (!decided.counted || answer === null || answer.statusCode < 300) return;
          decided.counted = false;
          await uncountSpend(deps.db.pool, userId, currency, amountMinor, now);
          await deps.db.query(
            'update step_up_decisions set counted = false where scope = $1 and key = $2',
            [claim.scope, claim.key],
          );
        },
      };
    },

    /**
     * A second factor given with the request itself (payouts: `code`), checked under the
     * second-factor lockout and used up; throws `invalid_2fa_code` (401) when it is wrong.
     */
    async verifyCode(userId: string, code: string, ip: string, object: string): Promise<void> {
      const reservation = await deps.verifier.reserve(userId);
      const ok = await deps.db.transaction((client) => deps.verifier.check(client, userId, code));
      if (!ok) {
        await deps.verifier.failed(reservation, userId, ip, object);
        throw new KassaError('invalid_2fa_code', undefined, { param: 'code' });
      }
      await deps.verifier.succeeded(reservation);
    },

    /** At confirmation: a young factor cannot confirm a payment stepped up for its amount. */
    async checkConfirmable(userId: string, reason: string | null): Promise<void> {
      if (!isAmountReason(reason as StepUpReason | null)) return;
      const enabledAt = await deps.verifier.enabledAt(userId);
      if (enabledAt !== null) refuseYoungFactor(enabledAt, deps.clock.now());
    },
  };
}

export type StepUpPolicy = ReturnType<typeof createStepUpPolicy>;

/** Forgets decisions older than the idempotency keys they belong to; returns how many. */
export async function reapStepUpDecisions(q: Queryable, olderThan: Date): Promise<number> {
  const result = await q.query('delete from step_up_decisions where decided_at < $1', [
    olderThan.toISOString(),
  ]);
  return result.rowCount ?? 0;
}
