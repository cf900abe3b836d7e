import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../platform/db.ts';
import { passkeyRoutes } from './passkey-routes.ts';
import { sessionRevocationRoutes } from './session-revocation-routes.ts';
import { sessionTokenRoutes } from './session-token-routes.ts';
import type { SessionSettings } from './sessions.ts';
import type { FactorSecrets } from './two-factor.ts';

export interface SessionRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly sessions: SessionSettings;
  readonly factors: FactorSecrets;
  /** Called on logout so this process refuses the family's access tokens at once. */
  readonly onFamilyRevoked: (familyId: string) => void;
  /** The web origins passkeys belong to; absent: each request's own origin. */
  readonly webauthnOrigins?: readonly string[] | undefined;
}

/**
 * Log-in (password, then a TOTP or recovery code when 2FA is on), refresh, log-out. Failures of
 * either factor count towards the same lockout; every outcome is audited.
 */
export function sessionRoutes(deps: SessionRouteDeps) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    // In this order, so /openapi.json (and the SDK generated from it) lists the routes as before.
    await root.register(sessionTokenRoutes(deps));
    await root.register(sessionRevocationRoutes(deps));
    await root.register(passkeyRoutes(deps));
  };
}
