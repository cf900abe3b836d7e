import type { Clock } from '../kernel/clock.ts';

/**
 * A value every process re-reads from its source (the database) at most every `everyMs`: the
 * first caller after the interval waits for one read, concurrent callers share it, and a swap
 * replaces one object (a request in flight keeps what it started with). A failed read keeps
 * the value in hand and waits a full interval before trying again. `invalidate()` makes the
 * next `current()` read (this process changed the source); a read that started before it does
 * not count.
 */
export function periodicRead<T>(deps: {
  clock: Clock;
  everyMs: number;
  initial: T;
  /** Reads the source; given the value in hand (to keep what did not change). */
  read: (current: T) => Promise<T>;
  onError?: (error: unknown) => void;
}) {
  let value = deps.initial;
  let readAtMs = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  let generation = 0;
  const nowMs = () => deps.clock.now().getTime();

  async function refresh(): Promise<void> {
    const started = generation;
    const next = await deps.read(value);
    if (started !== generation) return; // invalidated meanwhile: read again next time
    value = next;
    readAtMs = nowMs();
  }

  return {
    async current(): Promise<T> {
      if (nowMs() - readAtMs >= deps.everyMs) {
        reading ??= refresh()
          .catch((error: unknown) => {
            readAtMs = nowMs();
            deps.onError?.(error);
          })
          .finally(() => {
            reading = null;
          });
        await reading;
      }
      return value;
    },
    /** The value in hand, without reading (a failure path reads it). */
    peek: (): T => value,
    invalidate(): void {
      generation += 1;
      readAtMs = Number.NEGATIVE_INFINITY;
    },
  };
}
