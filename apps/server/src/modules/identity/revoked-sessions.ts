import type { Queryable } from '../../platform/db.ts';
import { MemoCache } from '../../platform/memo-cache.ts';

/**
 * Whether a session family was revoked, for every authenticated user request. Answers are
 * cached for a few seconds so the hot path does not ask PostgreSQL each time: a logout on this
 * process takes effect at once (`markRevoked`), on other API processes within `ttlMs`.
 */
export function createRevokedSessions(q: Queryable, ttlMs = 5_000) {
  const cache = new MemoCache<boolean>(200_000, ttlMs);
  return {
    isRevoked(familyId: string): Promise<boolean> {
      return cache.get(familyId, async () => {
        const rows = await q.query(
          'select 1 from refresh_tokens where family_id = $1 and revoked_at is not null limit 1',
          [familyId],
        );
        return rows.rowCount !== 0;
      });
    },
    markRevoked(familyId: string): void {
      cache.set(familyId, true);
    },
  };
}
