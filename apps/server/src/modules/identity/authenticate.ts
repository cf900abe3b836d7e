import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Queryable } from '../../platform/db.ts';
import { verifyAccessToken, type AccessTokenKeys } from './access-tokens.ts';
import { merchantForSecretKey } from './merchants.ts';
import { operatorForKey, operatorKeyPrefix } from './operators.ts';
import type { Principal } from '../../kernel/principal.ts';
import { secretsEqual } from './secret-tokens.ts';

export interface AuthenticatorDeps {
  readonly db: Queryable;
  readonly clock: Clock;
  readonly keys: AccessTokenKeys;
  readonly operatorKey: string;
  /** True when the session family was revoked (logout, refresh-token reuse). */
  readonly isFamilyRevoked: (familyId: string) => Promise<boolean>;
}

/**
 * Resolves `Authorization: Bearer …` to a caller: a merchant secret key (`sk_test_…`,
 * `sk_live_…`), the bootstrap operator key, a named operator's key (`opk_…`), or a user access token. No header is anonymous; a header that
 * is present but invalid is a 401, never silently anonymous.
 */
export function createAuthenticator(deps: AuthenticatorDeps) {
  return async function authenticate(header: string | undefined): Promise<Principal | null> {
    if (header === undefined || header === '') return null;
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header);
    const token = match?.[1];
    if (token === undefined) throw new KassaError('authentication_required');
    if (secretsEqual(token, deps.operatorKey)) return { kind: 'operator', operatorId: null };
    if (token.startsWith(operatorKeyPrefix)) {
      const operator = await operatorForKey(deps.db, token);
      if (operator === null) throw new KassaError('authentication_required');
      return { kind: 'operator', operatorId: operator.id };
    }
    if (token.startsWith('sk_test_') || token.startsWith('sk_live_')) {
      const merchant = await merchantForSecretKey(deps.db, token, deps.clock.now());
      if (merchant === null) throw new KassaError('authentication_required');
      return {
        kind: 'merchant',
        merchantId: merchant.merchantId,
        mode: merchant.mode,
        keyId: merchant.keyId,
        keyExpiring: merchant.expiring,
      };
    }
    const claims = await verifyAccessToken(deps.keys, token, deps.clock.now());
    if (claims === null) throw new KassaError('authentication_required');
    if (await deps.isFamilyRevoked(claims.sessionFamilyId))
      throw new KassaError('authentication_required');
    return {
      kind: 'user',
      userId: claims.userId,
      sessionFamilyId: claims.sessionFamilyId,
      deviceId: claims.deviceId,
      expiresAt: claims.expiresAt,
    };
  };
}
