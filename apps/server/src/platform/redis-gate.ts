import { Redis } from 'ioredis';

/**
 * Redis behind a gate. Correctness never depends on Redis (ARCHITECTURE §3), so no request may
 * wait on it for long either: every command has a short timeout, and after a failure (refused,
 * reset or hung) the gate stays shut for `cooldownMs`, during which callers get `unavailable` at
 * once and use their fallback (a local rate-limit count, a PostgreSQL read). A hung Redis costs
 * one command's timeout per cooldown, not one per request.
 */
export interface RedisGate {
  /** Runs `work` on Redis, or answers `unavailable` (gate shut, not connected, or it failed). */
  run<T>(work: (redis: Redis) => Promise<T>): Promise<T | typeof unavailable>;
  /** Whether Redis is in use right now (for /readyz: `degraded: ["redis"]` otherwise). */
  healthy(): boolean;
  /** The key prefix every user of this Redis puts first (`REDIS_KEY_PREFIX`). */
  readonly prefix: string;
  close(): void;
}

export const unavailable: unique symbol = Symbol('redis unavailable');

export function createRedisGate(options: {
  url: string;
  prefix: string;
  commandTimeoutMs: number;
  cooldownMs: number;
  onFailure: (error: unknown) => void;
}): RedisGate {
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
    lazyConnect: false,
  });
  let shutUntilMs = 0;
  let reported = false;
  const fail = (error: unknown) => {
    shutUntilMs = performance.now() + options.cooldownMs;
    // Told once per outage, not once per request.
    if (!reported) options.onFailure(error);
    reported = true;
  };
  redis.on('error', fail);
  redis.on('ready', () => {
    reported = false;
  });
  const open = () => redis.status === 'ready' && performance.now() >= shutUntilMs;
  return {
    prefix: options.prefix,
    async run(work) {
      if (!open()) return unavailable;
      try {
        const result = await work(redis);
        reported = false;
        return result;
      } catch (error) {
        fail(error);
        return unavailable;
      }
    },
    healthy: open,
    close: () => redis.disconnect(),
  };
}
