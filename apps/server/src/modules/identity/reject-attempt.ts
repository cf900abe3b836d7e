import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import { appendPublicEvents } from '../events/index.ts';
import { attemptFailed, passwordPolicy, type Reservation } from './lockout.ts';

/**
 * A failed attempt (already counted by its reservation): locks the subjects at their limit,
 * announces a lock of a real account (`login.failed_burst`) with it, audits, and answers.
 */
export async function rejectAttempt(
  deps: { readonly db: Db; readonly clock: Clock },
  reservation: Reservation,
  action: string,
  ip: string,
  owner: { userId: string | null; email: string },
  code: 'invalid_credentials' | 'invalid_2fa_code',
): Promise<never> {
  const { db, clock } = deps;
  const now = clock.now();
  const locked = await db.transaction(async (client) => {
    const until = await attemptFailed(client, reservation, now);
    if (until === null) return until;
    // A wrong password does not say whose account it was: the email does.
    const userId =
      owner.userId ??
      (
        await client.query<{ id: string }>('select id from users where lower(email) = $1', [
          owner.email.trim().toLowerCase(),
        ])
      ).rows[0]?.id ??
      null;
    if (userId !== null)
      await appendPublicEvents(client, [
        {
          type: 'login.failed_burst',
          object: {
            id: encodeId('usr', userId),
            object: 'login_attempts',
            failures: passwordPolicy.failuresMax,
            locked_until: until.toISOString(),
          },
          userIds: [userId],
          merchantId: null,
        },
      ]);
    return until;
  });
  await recordAudit(
    db,
    {
      actor:
        owner.userId === null
          ? `email:${owner.email.trim().toLowerCase()}`
          : `user:${owner.userId}`,
      action,
      object: owner.userId === null ? null : `user:${owner.userId}`,
      outcome: 'failure',
      ip,
      details: locked === null ? {} : { locked_until: locked.toISOString() },
    },
    now,
  );
  throw new KassaError(code);
}
