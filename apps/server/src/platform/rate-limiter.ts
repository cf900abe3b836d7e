import { unavailable, type RedisGate } from './redis-gate.ts';

/**
 * Rate limits over a sliding window: the count of the current fixed window plus the previous
 * window's count weighted by how much of it still overlaps (Cloudflare's approximation), so a
 * burst at a window's edge cannot get twice the limit through. With Redis the counts are shared
 * by every API process (one atomic script per hit); while Redis is away (down, refusing or hung:
 * see redis-gate.ts) each process counts alone, so limits keep holding per process instead of
 * failing open. The local counts are a bounded LRU: the least recently seen key is forgotten,
 * never all of them at once.
 */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Hits left in the window (0 when refused). */
  readonly remaining: number;
  /** Seconds until the window has room again (or moves on). */
  readonly resetSeconds: number;
}

export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
}

const script = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local previous = redis.call('GET', KEYS[2])
return {current, tonumber(previous or '0')}`;

function decide(
  current: number,
  previous: number,
  limit: number,
  windowSeconds: number,
  nowMs: number,
): RateDecision {
  const windowMs = windowSeconds * 1000;
  const intoWindowMs = nowMs % windowMs;
  const weighted = previous * (1 - intoWindowMs / windowMs) + current;
  const allowed = weighted <= limit;
  return {
    allowed,
    limit,
    remaining: allowed ? Math.max(0, Math.floor(limit - weighted)) : 0,
    resetSeconds: Math.max(1, Math.ceil((windowMs - intoWindowMs) / 1000)),
  };
}

/** Sliding-window counts in this process only, for keys beyond `entriesMax` the oldest go. */
export function createLocalRateLimiter(
  entriesMax = 100_000,
  now: () => number = Date.now,
): RateLimiter {
  const counts = new Map<string, { window: number; current: number; previous: number }>();
  return {
    async hit(key, limit, windowSeconds) {
      const nowMs = now();
      const window = Math.floor(nowMs / 1000 / windowSeconds);
      const seen = counts.get(key);
      const entry =
        seen === undefined || seen.window < window - 1
          ? { window, current: 0, previous: 0 }
          : seen.window === window - 1
            ? { window, current: 0, previous: seen.current }
            : seen;
      entry.current += 1;
      // Re-inserted, so the Map's order is least recently seen first.
      counts.delete(key);
      counts.set(key, entry);
      if (counts.size > entriesMax) {
        const oldest = counts.keys().next();
        if (oldest.done !== true) counts.delete(oldest.value);
      }
      return Promise.resolve(decide(entry.current, entry.previous, limit, windowSeconds, nowMs));
    },
  };
}

/** Shared counts in Redis while it answers, this process's own counts while it does not. */
export function createRateLimiter(gate: RedisGate | undefined): RateLimiter {
  const local = createLocalRateLimiter();
  if (gate === undefined) return local;
  return {
    async hit(key, limit, windowSeconds) {
      const nowMs = Date.now();
      const window = Math.floor(nowMs / 1000 / windowSeconds);
      const counted = await gate.run(async (redis) => {
        const base = `${gate.prefix}rl:${key}`;
        return (await redis.eval(
          script,
          2,
          `${base}:${window}`,
          `${base}:${window - 1}`,
          windowSeconds * 2,
        )) as [number, number];
      });
      if (counted === unavailable) return local.hit(key, limit, windowSeconds);
      return decide(counted[0], counted[1], limit, windowSeconds, nowMs);
    },
  };
}
