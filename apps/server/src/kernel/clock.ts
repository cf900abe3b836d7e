/** The one way code learns the time. Domain code receives `now` as a value instead. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date): Clock & { advanceMs(ms: number): void } {
  let current = at.getTime();
  return {
    now: () => new Date(current),
    advanceMs(ms: number) {
      current += ms;
    },
  };
}
