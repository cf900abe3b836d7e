import { createHmac, timingSafeEqual } from 'node:crypto';
import { unavailable, type RedisGate } from './redis-gate.ts';

/**
 * A read cache in Redis that never decides anything: a miss, an error or Redis being away all
 * read from PostgreSQL instead (ARCHITECTURE §3: correctness never depends on Redis). Values
 * are JSON; every key has a TTL, so a missed invalidation heals itself. Every entry carries an
 * HMAC under a key Redis does not hold: anyone who can write to Redis can drop entries but not
 * forge one (a merchant name a payer reads, a balance on a screen); a forged entry is a miss.
 */
export interface ReadCache {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export function createReadCache(gate: RedisGate | undefined, macKey: Buffer): ReadCache {
  if (gate === undefined)
    return { get: async () => null, set: async () => undefined, delete: async () => undefined };
  const full = (key: string) => `${gate.prefix}cache:${key}`;
  const mac = (key: string, json: string) =>
    createHmac('sha256', macKey).update(`${key}\n${json}`).digest();
  return {
    async get<T>(key: string) {
      const text = await gate.run((redis) => redis.get(full(key)));
      if (text === unavailable || text === null) return null;
      const at = text.indexOf('.');
      const json = text.slice(at + 1);
      const given = Buffer.from(text.slice(0, at), 'base64url');
      const expected = mac(key, json);
      if (at <= 0 || given.length !== expected.length || !timingSafeEqual(given, expected))
        return null;
      try {
        return JSON.parse(json) as T;
      } catch {
        return null;
      }
    },
    async set(key, value, ttlSeconds) {
      const json = JSON.stringify(value);
      const entry = `${mac(key, json).toString('base64url')}.${json}`;
      await gate.run((redis) => redis.set(full(key), entry, 'EX', ttlSeconds));
    },
    async delete(keys) {
      if (keys.length === 0) return;
      await gate.run((redis) => redis.del(...keys.map(full)));
    },
  };
}
