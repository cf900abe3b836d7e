import type { Redis } from 'ioredis';

/**
 * A read cache in Redis that never decides anything: a miss, an error or Redis being down all
 * read from PostgreSQL instead (ARCHITECTURE §3: correctness never depends on Redis). Values
 * are JSON; every key has a TTL, so a missed invalidation heals itself.
 */
export interface ReadCache {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export function createReadCache(redis: Redis | undefined, prefix: string): ReadCache {
  if (redis === undefined)
    return { get: async () => null, set: async () => undefined, delete: async () => undefined };
  const usable = () => redis.status === 'ready';
  return {
    async get<T>(key: string) {
      if (!usable()) return null;
      try {
        const text = await redis.get(`${prefix}:${key}`);
        return text === null ? null : (JSON.parse(text) as T);
      } catch {
        return null;
      }
    },
    async set(key, value, ttlSeconds) {
      if (!usable()) return;
      await redis
        .set(`${prefix}:${key}`, JSON.stringify(value), 'EX', ttlSeconds)
        .catch(() => undefined);
    },
    async delete(keys) {
      if (!usable() || keys.length === 0) return;
      await redis.del(...keys.map((key) => `${prefix}:${key}`)).catch(() => undefined);
    },
  };
}
