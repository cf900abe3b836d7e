/**
 * When the elastic API tier grows or shrinks. Samples come from every API process's /metrics
 * every few seconds: the busiest process's event-loop utilisation and the tier's p99 request
 * time over the sample. One more process when the tier has been hot for the whole window (every
 * sample over a threshold); one fewer when it has been cold for the whole window. A decision
 * empties the window, so the next one waits for a full window of the new size.
 */
export interface ScalingSample {
  readonly atMs: number;
  readonly eventLoopUtilization: number;
  /** null: no request in the sample. */
  readonly p99Ms: number | null;
}

export interface ScalingPolicy {
  readonly min: number;
  readonly max: number;
  readonly upEventLoopUtilization: number;
  readonly upP99Ms: number;
  readonly downEventLoopUtilization: number;
  readonly windowMs: number;
}

export type ScalingDecision = 'up' | 'down' | 'hold';

export function decideScaling(
  policy: ScalingPolicy,
  processes: number,
  samples: readonly ScalingSample[],
  nowMs: number,
): ScalingDecision {
  const oldest = samples[0];
  if (oldest === undefined || nowMs - oldest.atMs < policy.windowMs) return 'hold';
  const window = samples.filter((s) => nowMs - s.atMs <= policy.windowMs);
  if (window.length === 0) return 'hold';
  const hot = (s: ScalingSample) =>
    s.eventLoopUtilization >= policy.upEventLoopUtilization ||
    (s.p99Ms !== null && s.p99Ms >= policy.upP99Ms);
  const cold = (s: ScalingSample) =>
    s.eventLoopUtilization <= policy.downEventLoopUtilization &&
    (s.p99Ms === null || s.p99Ms < policy.upP99Ms);
  if (processes < policy.max && window.every(hot)) return 'up';
  if (processes > policy.min && window.every(cold)) return 'down';
  return 'hold';
}

/**
 * p99 from the difference of two scrapes of a cumulative histogram (`le` → count, summed over
 * routes): the smallest bucket bound holding 99% of the requests in between, in ms.
 */
export function p99FromBuckets(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return null;
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count >= total * 0.99) return bound === Infinity ? 10_000 : bound * 1_000;
  }
  return null;
}
