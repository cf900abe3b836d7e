import type { Clock } from '../../kernel/clock.ts';
import type { Db, DbClient } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import { lockoutSubject, recordAuthFailure, refuseIfLocked } from './lockout.ts';
import type { SecretBox } from './secret-box.ts';
import { checkSecondFactor, twoFactorEnabled } from './two-factor.ts';
import { getUser } from './users.ts';

/**
 * What the payments module needs for step-up: whether a user can answer a 2FA challenge, the
 * check of a code inside the payment's transaction (the code is used up with the payment), and
 * the same lockout as log-in for wrong codes.
 */
export function createStepUpVerifier(deps: { db: Db; clock: Clock; totpBox: SecretBox }) {
  async function subjectOf(userId: string): Promise<string> {
    const user = await getUser(deps.db.pool, userId);
    return lockoutSubject(user?.email ?? `unknown-user:${userId}`);
  }
  return {
    enabled: (userId: string) => twoFactorEnabled(deps.db.pool, userId),
    async guard(userId: string): Promise<void> {
      await refuseIfLocked(deps.db.pool, await subjectOf(userId), deps.clock.now());
    },
    async check(client: DbClient, userId: string, code: string): Promise<boolean> {
      const method = await checkSecondFactor(client, deps.totpBox, userId, code, deps.clock.now(), {
        allowRecovery: false,
        status: 'enabled',
      });
      return method !== null;
    },
    async failed(userId: string, ip: string, object: string): Promise<void> {
      const now = deps.clock.now();
      const locked = await recordAuthFailure(deps.db.pool, await subjectOf(userId), now);
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
