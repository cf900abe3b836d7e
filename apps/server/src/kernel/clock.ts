/** The one way code learns the time. Domain code receives `now` as a value instead. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
