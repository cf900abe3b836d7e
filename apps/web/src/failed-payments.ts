import type { OutboxRecord } from '@kassa/sdk';

/**
 * Payments queued on this phone that later failed: Home keeps showing them (with why) until the
 * person dismisses each one, so a failure never passes silently while they were away.
 */
const keyOf = (userId: string) => `kassa:dismissed-failures:${userId}`;

function dismissed(userId: string): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

/**
 * Failed records of this user, queued offline first (the person was not watching when they
 * failed), not dismissed yet. A payment refused while they waited showed its outcome then.
 */
export function unseenFailures(records: readonly OutboxRecord[], userId: string): OutboxRecord[] {
  const gone = dismissed(userId);
  return records.filter(
    (r) => r.owner === userId && r.state === 'failed' && r.queuedOffline && !gone.has(r.id),
  );
}

export function dismissFailure(userId: string, recordId: string): void {
  const gone = dismissed(userId);
  gone.add(recordId);
  localStorage.setItem(keyOf(userId), JSON.stringify([...gone].slice(-200)));
}
