import type { Clock } from '../../kernel/clock.ts';
import type { Db, DbClient } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import {
  attemptFailed,
  attemptSucceeded,
  reserveAttempt,
  secondFactorSubjects,
  type Reservation,
} from './lockout.ts';
import { checkSecondFactor, factorEnabledAt, type FactorSecrets } from './two-factor.ts';

/**
 * What the payments module needs for step-up: whether (and since when) a user can answer a 2FA
 * challenge, the check of a code inside the payment's transaction (the code is used up with the
 * payment), and the second-factor lockout around it: an attempt is reserved before the code is
 * evaluated, so a burst of guesses gets at most the lockout's limit evaluated.
 */
export function createStepUpVerifier(deps: { db: Db; clock: Clock; factors: FactorSecrets }) {
  return {
    /** When the user's factor was enabled; null when the user has none. */
    enabledAt: (userId: string) => factorEnabledAt(deps.db.pool, userId),
    /** Reserves one attempt (429 while locked or at the limit). */
    reserve: (userId: string): Promise<Reservation> =>
      reserveAttempt(deps.db.pool, secondFactorSubjects(userId), deps.clock.now()),
    async check(client: DbClient, userId: string, code: string): Promise<boolean> {
      const method = await checkSecondFactor(client, deps.factors, userId, code, deps.clock.now(), {
        allowRecovery: false,
        status: 'enabled',
      });
      return method !== null;
    },
    succeeded: (reservation: Reservation) =>
      attemptSucceeded(deps.db.pool, reservation, deps.clock.now()),
    async failed(reservation: Reservation, userId: string, ip: string, object: string) {
      const now = deps.clock.now();
      const locked = await attemptFailed(deps.db.pool, reservation, now);
      await recordAudit(
        deps.db,
        {
          actor: `user:${userId}`,
          action: 'payment.step_up',
          object,
          outcome: 'failure',
          ip,
          details: locked === null ? {} : { locked_until: locked.toISOString() },
        },
        now,
      );
    },
  };
}

export type StepUpVerifier = ReturnType<typeof createStepUpVerifier>;
