import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
import { MemoCache } from '../../platform/memo-cache.ts';
import type { Principal } from '../../kernel/principal.ts';

/**
 * Whether a caller authenticated earlier still may be served: for long-lived responses (the
 * notification stream), which must end when the session behind them ends. A user's session is
 * over once its access token expires or its family is revoked (logout, password change, a new
 * second factor, refresh-token theft); a merchant's once its key is revoked or expired.
 */
export function createPrincipalLiveness(deps: {
  db: Queryable;
  clock: Clock;
  isFamilyRevoked: (familyId: string) => Promise<boolean>;
}) {
  // Key states are read at most once a second per key, whatever the number of streams.
  const keys = new MemoCache<{ live: boolean }>(10_000, 1_000);
  return async function stillValid(principal: Principal): Promise<boolean> {
    const now = deps.clock.now();
    switch (principal.kind) {
      case 'operator':
        return true;
      case 'user':
        return (
          principal.expiresAt.getTime() > now.getTime() &&
          !(await deps.isFamilyRevoked(principal.sessionFamilyId))
        );
      case 'merchant': {
        const state = await keys.get(principal.keyId, async () => {
          const rows = await deps.db.query(
            `select 1 from merchant_api_keys
              where id = $1 and revoked_at is null and (expires_at is null or expires_at > $2)`,
            [principal.keyId, now.toISOString()],
          );
          return { live: rows.rowCount === 1 };
        });
        return state.live;
      }
    }
  };
}

export type PrincipalLiveness = ReturnType<typeof createPrincipalLiveness>;
