import { KassaError } from '../../kernel/errors.ts';
import type { Queryable } from '../../platform/db.ts';
import { clientBucket } from '../../platform/client-address.ts';

/**
 * Lockouts (PCI DSS 8.3.4), kept in PostgreSQL so a restart or another API node sees them.
 *
 * Counting and refusing are one atomic step: an attempt is *reserved* (counted as a failure)
 * before its secret is evaluated, by one upsert that serialises concurrent attempts on the row.
 * Only attempts whose reserved count is within the limit are evaluated, so a burst of 50
 * simultaneous guesses gets at most `failuresMax` evaluated. A success clears its own count.
 *
 * Subjects are keyed so that a stranger cannot lock anyone out at will: passwords count per
 * (email, client address bucket) — 10 in 30 minutes lock that pair for 30 minutes — plus a
 * softer brake per email across all addresses (50 in 30 minutes, 15 minutes) that addresses
 * the account logged in from in the last 30 days skip (`known-addresses.ts`). Second-factor
 * codes count per user: whoever is guessing them already has the password or a session.
 */
export interface LockoutPolicy {
  readonly failuresMax: number;
  readonly lockMinutes: number;
}

/** Every subject's failures are counted over the same window. */
export const lockoutWindowMinutes = 30;
export const passwordPolicy: LockoutPolicy = { failuresMax: 10, lockMinutes: 30 };
export const passwordBrakePolicy: LockoutPolicy = { failuresMax: 50, lockMinutes: 15 };
export const secondFactorPolicy: LockoutPolicy = { failuresMax: 10, lockMinutes: 30 };

export interface LockoutSubject {
  readonly subject: string;
  readonly policy: LockoutPolicy;
}

function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Password attempts for an email from a client address: the pair first, then the brake — which
 * an address the account logged in from recently (`knownAddress`) skips, so the brake a
 * stranger pulls does not lock the owner out of their own devices.
 */
export function passwordSubjects(
  email: string,
  clientAddress: string,
  knownAddress = false,
): LockoutSubject[] {
  const who = normalEmail(email);
  const pair = {
    subject: `password:${who}|${clientBucket(clientAddress)}`,
    policy: passwordPolicy,
  };
  return knownAddress
    ? [pair]
    : [pair, { subject: `password:${who}`, policy: passwordBrakePolicy }];
}

/** Second-factor codes (log-in, step-up, device trust, 2FA changes) of one user. */
export function secondFactorSubjects(userId: string): LockoutSubject[] {
  return [{ subject: `2fa:${userId}`, policy: secondFactorPolicy }];
}

export interface Reservation {
  readonly subjects: readonly LockoutSubject[];
  /** Failures counted per subject, this attempt included. */
  readonly counts: readonly number[];
}

/**
 * Reserves one attempt on every subject, or throws `too_many_attempts` (429, Retry-After) when
 * any of them is locked or already at its limit; a refused attempt is never evaluated.
 */
export async function reserveAttempt(
  q: Queryable,
  subjects: readonly LockoutSubject[],
  now: Date,
): Promise<Reservation> {
  const ordered = [...subjects].sort((a, b) => (a.subject < b.subject ? -1 : 1));
  const rows = await q.query<{ subject: string; failures: number; locked_until: Date | null }>(
    `insert into auth_failures as f (subject, failures, window_started_at)
       select s, 1, $2 from unnest($1::text[]) as s
     on conflict (subject) do update set
       failures = case when (f.locked_until is not null and f.locked_until <= $2)
                         or (f.locked_until is null and f.window_started_at <= $2::timestamptz - make_interval(mins => $3))
                       then 1 else f.failures + 1 end,
       window_started_at = case when (f.locked_until is not null and f.locked_until <= $2)
                         or (f.locked_until is null and f.window_started_at <= $2::timestamptz - make_interval(mins => $3))
                       then $2 else f.window_started_at end,
       locked_until = case when f.locked_until <= $2 then null else f.locked_until end
     returning subject, failures, locked_until`,
    [ordered.map((s) => s.subject), now.toISOString(), lockoutWindowMinutes],
  );
  const bySubject = new Map(rows.rows.map((row) => [row.subject, row]));
  let waitSeconds = 0;
  const counts = subjects.map(({ subject, policy }) => {
    const row = bySubject.get(subject);
    const failures = row?.failures ?? 1;
    const lockedUntil = row?.locked_until ?? null;
    if (lockedUntil !== null && lockedUntil.getTime() > now.getTime())
      waitSeconds = Math.max(
        waitSeconds,
        Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000),
      );
    else if (failures > policy.failuresMax)
      waitSeconds = Math.max(waitSeconds, policy.lockMinutes * 60);
    return failures;
  });
  if (waitSeconds > 0)
    throw new KassaError('too_many_attempts', undefined, { retryAfterSeconds: waitSeconds });
  return { subjects, counts };
}

/**
 * The reserved attempt failed (it is already counted). Locks every subject that reached its
 * limit; returns the end of the first subject's lock when this failure locked it.
 */
export async function attemptFailed(
  q: Queryable,
  reservation: Reservation,
  now: Date,
): Promise<Date | null> {
  let lockedFirst: Date | null = null;
  for (const [i, { subject, policy }] of reservation.subjects.entries()) {
    if ((reservation.counts[i] ?? 0) < policy.failuresMax) continue;
    const until = new Date(now.getTime() + policy.lockMinutes * 60_000);
    await q.query(
      `update auth_failures set locked_until = $2
        where subject = $1 and (locked_until is null or locked_until < $2)`,
      [subject, until.toISOString()],
    );
    if (i === 0) lockedFirst = until;
  }
  return lockedFirst;
}

/**
 * The reserved attempt succeeded: its own subject starts afresh, and the reservation is taken
 * back from the others (the brake counts failures, not the owner's successful log-ins).
 */
export async function attemptSucceeded(
  q: Queryable,
  reservation: Reservation,
  now: Date,
): Promise<void> {
  const [own, ...others] = reservation.subjects;
  if (own === undefined) return;
  await q.query(
    'delete from auth_failures where subject = $1 and (locked_until is null or locked_until < $2)',
    [own.subject, now.toISOString()],
  );
  if (others.length > 0)
    await q.query(
      'update auth_failures set failures = greatest(failures - 1, 0) where subject = any($1::text[])',
      [others.map((s) => s.subject)],
    );
}

export type AttemptOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly lockedUntil: Date | null };

/**
 * One guarded attempt: reserved first (refused with 429 when locked), then `evaluate` runs; a
 * null result counts as a failure (locking the subjects at their limit), anything else clears
 * the attempt's own subject.
 */
export async function guardedAttempt<T>(
  q: Queryable,
  subjects: readonly LockoutSubject[],
  now: Date,
  evaluate: () => Promise<T | null>,
): Promise<AttemptOutcome<T>> {
  const reservation = await reserveAttempt(q, subjects, now);
  const value = await evaluate();
  if (value === null) return { ok: false, lockedUntil: await attemptFailed(q, reservation, now) };
  await attemptSucceeded(q, reservation, now);
  return { ok: true, value };
}
