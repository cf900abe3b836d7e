import { KassaError } from '../../kernel/errors.ts';
import type { Queryable } from '../../platform/db.ts';

/**
 * PCI DSS 8.3.4: after 10 failed attempts (passwords or 2FA codes) within 30 minutes the subject
 * is locked for 30 minutes. Kept in PostgreSQL so a restart or another API node sees it. The
 * subject is the lowercased email, known or not, so a lockout reveals nothing about which
 * emails have accounts.
 */
export const lockoutPolicy = { failuresMax: 10, windowMinutes: 30, lockMinutes: 30 } as const;

export function lockoutSubject(email: string): string {
  return `email:${email.trim().toLowerCase()}`;
}

/** When the subject is locked, until when; otherwise null. */
export async function lockedUntil(q: Queryable, subject: string, now: Date): Promise<Date | null> {
  const rows = await q.query<{ locked_until: Date | null }>(
    'select locked_until from auth_failures where subject = $1',
    [subject],
  );
  const until = rows.rows[0]?.locked_until ?? null;
  return until !== null && until.getTime() > now.getTime() ? until : null;
}

/** Counts a failure; returns the lock's end when this failure locked the subject. */
export async function recordAuthFailure(
  q: Queryable,
  subject: string,
  now: Date,
): Promise<Date | null> {
  const rows = await q.query<{ locked_until: Date | null; failures: number }>(
    `insert into auth_failures (subject, failures, window_started_at) values ($1, 1, $2)
     on conflict (subject) do update set
       failures = case when auth_failures.window_started_at < $2::timestamptz - make_interval(mins => $3)
                       then 1 else auth_failures.failures + 1 end,
       window_started_at = case when auth_failures.window_started_at < $2::timestamptz - make_interval(mins => $3)
                                then $2 else auth_failures.window_started_at end
     returning failures, locked_until`,
    [subject, now.toISOString(), lockoutPolicy.windowMinutes],
  );
  const row = rows.rows[0];
  if (row === undefined || row.failures < lockoutPolicy.failuresMax) return null;
  const until = new Date(now.getTime() + lockoutPolicy.lockMinutes * 60_000);
  await q.query(
    'update auth_failures set locked_until = $2, failures = 0, window_started_at = $3 where subject = $1',
    [subject, until.toISOString(), now.toISOString()],
  );
  return until;
}

export async function clearAuthFailures(q: Queryable, subject: string): Promise<void> {
  await q.query(
    'delete from auth_failures where subject = $1 and (locked_until is null or locked_until < now())',
    [subject],
  );
}

/** Throws `too_many_attempts` (429, Retry-After until the lock ends) while the subject is locked. */
export async function refuseIfLocked(q: Queryable, subject: string, now: Date): Promise<void> {
  const until = await lockedUntil(q, subject, now);
  if (until !== null) {
    throw new KassaError('too_many_attempts', undefined, {
      retryAfterSeconds: Math.ceil((until.getTime() - now.getTime()) / 1000),
    });
  }
}
