import type { Redis } from 'ioredis';

/**
 * Fixed-window rate limits: at most `limit` hits per `windowSeconds` per key. With Redis the
 * count is shared by every API process (one atomic script call per hit); without it each process
 * counts alone. Correctness never depends on Redis: if it fails, the hit is allowed (fail open)
 * and `onError` is told; lockouts that must hold are kept in PostgreSQL instead.
 */
export interface RateLimiter {
  /** Records a hit; returns the seconds to wait when over the limit, else null. */
  hit(key: string, limit: number, windowSeconds: number): Promise<number | null>;
}

const script = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}`;

export function createRedisRateLimiter(
  redis: Redis,
  prefix: string,
  onError: (error: unknown) => void,
): RateLimiter {
  return {
    async hit(key, limit, windowSeconds) {
      try {
        const window = Math.floor(Date.now() / 1000 / windowSeconds);
        const [count, ttl] = (await redis.eval(
          script,
          1,
          `${prefix}:${key}:${window}`,
          windowSeconds,
        )) as [number, number];
        return count > limit ? Math.max(1, ttl) : null;
      } catch (error) {
        onError(error);
        return null;
      }
    },
  };
}

export function createLocalRateLimiter(entriesMax = 100_000): RateLimiter {
  const counts = new Map<string, { count: number; resetAtMs: number }>();
  return {
    async hit(key, limit, windowSeconds) {
      const nowMs = Date.now();
      let entry = counts.get(key);
      if (entry === undefined || entry.resetAtMs <= nowMs) {
        if (counts.size >= entriesMax) counts.clear();
        entry = { count: 0, resetAtMs: nowMs + windowSeconds * 1000 };
        counts.set(key, entry);
      }
      entry.count += 1;
      return Promise.resolve(
        entry.count > limit ? Math.max(1, Math.ceil((entry.resetAtMs - nowMs) / 1000)) : null,
      );
    },
  };
}
