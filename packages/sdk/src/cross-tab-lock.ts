/** Runs `work` while holding the lock `name`; one holder at a time. */
export type Lock = <T>(name: string, work: () => Promise<T>) => Promise<T>;

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Tails of the in-process fallback's queues, by lock name. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Locks shared by every tab and worker of the origin (Web Locks, `navigator.locks`), scoped to
 * one storage, so that one tab at a time refreshes the session or flushes the outbox. Where Web
 * Locks are absent (Node.js 20), a lock is held within the process only: clients in one process
 * on the same storage still take turns; separate processes on one file are not coordinated.
 */
export function crossTabLock(scope: string): Lock {
  return <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const fullName = `kassa-sdk:${scope}:${name}`;
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    if (locks !== undefined) return locks.request(fullName, work);
    const turn = (queues.get(fullName) ?? Promise.resolve()).then(work, work);
    const tail = turn.catch(() => undefined);
    queues.set(fullName, tail);
    void tail.then(() => {
      if (queues.get(fullName) === tail) queues.delete(fullName);
    });
    return turn;
  };
}
