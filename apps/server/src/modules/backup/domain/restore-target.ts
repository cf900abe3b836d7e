/** Where a restore stops: the end of the archive, or a moment (the last commit at or before it). */
export type RestoreTarget =
  { readonly kind: 'latest' } | { readonly kind: 'time'; readonly at: Date };

/** What the backups can restore to: from the oldest backup's end to the newest archived WAL. */
export interface RestorableRange {
  readonly earliest: Date | null;
  /** Null when unknown (the live database cannot be asked): the archive decides. */
  readonly latest: Date | null;
}

export class RestoreTargetError extends Error {}

/**
 * Reads `--to`: `latest`, or an RFC 3339 time with its offset (`2026-12-01T14:02:59Z`,
 * `2026-12-01T15:02:59.250+01:00`). A time without an offset is refused: whose 14:02 it is
 * must never be guessed in a restore.
 */
export function parseRestoreTarget(raw: string | undefined): RestoreTarget {
  if (raw === undefined || raw === '')
    throw new RestoreTargetError(
      '--to is required: an RFC 3339 time such as 2026-12-01T14:02:59Z, or latest',
    );
  if (raw === 'latest') return { kind: 'latest' };
  const rfc3339 =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$/;
  const match = rfc3339.exec(raw);
  if (match === null)
    throw new RestoreTargetError(
      `--to "${raw}" is not an RFC 3339 time with an offset (2026-12-01T14:02:59Z) or latest`,
    );
  const at = new Date(raw.replace(' ', 'T'));
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const valid =
    !Number.isNaN(at.getTime()) &&
    month !== undefined &&
    month >= 1 &&
    month <= 12 &&
    day !== undefined &&
    day >= 1 &&
    day <= new Date(Date.UTC(year ?? 0, month, 0)).getUTCDate() &&
    (hour ?? 99) < 24 &&
    (minute ?? 99) < 60 &&
    (second ?? 99) < 60;
  if (!valid) throw new RestoreTargetError(`--to "${raw}" is not a real moment`);
  return { kind: 'time', at };
}

/** Refuses a time outside what the backups hold, naming the range. */
export function checkInRange(target: RestoreTarget, range: RestorableRange): void {
  if (range.earliest === null)
    throw new RestoreTargetError(
      'there is no backup to restore from yet: run `npm run kassa -- backup` first',
    );
  if (target.kind === 'latest') return;
  if (target.at.getTime() < range.earliest.getTime())
    throw new RestoreTargetError(
      `--to ${target.at.toISOString()} is before the oldest backup ended (${range.earliest.toISOString()}); the backups can restore from then on`,
    );
  if (range.latest !== null && target.at.getTime() > range.latest.getTime())
    throw new RestoreTargetError(
      `--to ${target.at.toISOString()} is after the newest archived change (${range.latest.toISOString()}); use --to latest for everything archived`,
    );
}
