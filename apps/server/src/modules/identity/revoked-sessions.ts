import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';

/**
 * Which session families are revoked, checked for every authenticated user request without a
 * database round trip. Only families revoked within the access-token lifetime matter (older
 * tokens have expired anyway), so each process keeps that set in memory and refreshes it with
 * one query at most every `pollMs`, whatever the traffic. A logout on this process applies at
 * once (`markRevoked`); on other processes within `pollMs`. The poll re-reads a few seconds of
 * overlap so that a revocation committed late is not missed.
 */
export function createRevokedSessions(
  q: Queryable,
  clock: Clock,
  options: { accessTokenTtlSeconds: number; pollMs?: number },
) {
  const pollMs = options.pollMs ?? 500;
  const overlapMs = 5_000;
  const revoked = new Map<string, number>();
  let watermarkMs = clock.now().getTime() - options.accessTokenTtlSeconds * 1000;
  let lastPollMs = -Infinity;
  let polling: Promise<void> | undefined;

  async function poll(): Promise<void> {
    const nowMs = clock.now().getTime();
    const rows = await q.query<{ family_id: string; revoked_at: Date }>(
      `select family_id, max(revoked_at) as revoked_at from refresh_tokens
        where revoked_at is not null and revoked_at > $1 group by family_id`,
      [new Date(watermarkMs - overlapMs).toISOString()],
    );
    for (const row of rows.rows) {
      revoked.set(row.family_id, row.revoked_at.getTime());
      watermarkMs = Math.max(watermarkMs, row.revoked_at.getTime());
    }
    // Forget families whose tokens can no longer be valid.
    const oldestRelevantMs = nowMs - options.accessTokenTtlSeconds * 1000;
    for (const [family, atMs] of revoked) if (atMs < oldestRelevantMs) revoked.delete(family);
    lastPollMs = performance.now();
  }

  return {
    async isRevoked(familyId: string): Promise<boolean> {
      if (performance.now() - lastPollMs > pollMs) {
        polling ??= poll().finally(() => {
          polling = undefined;
        });
        await polling;
      }
      return revoked.has(familyId);
    },
    markRevoked(familyId: string): void {
      revoked.set(familyId, clock.now().getTime());
    },
  };
}

export type RevokedSessions = ReturnType<typeof createRevokedSessions>;
