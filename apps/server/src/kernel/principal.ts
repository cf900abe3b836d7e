/** Who is calling. Every route checks ownership against this, never against request input. */
export type Principal =
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly sessionFamilyId: string;
      /** The enrolled device the session is bound to: its money requests must be signed. */
      readonly deviceId: string | null;
      /** When the access token stops working (streams end then too). */
      readonly expiresAt: Date;
    }
  | {
      readonly kind: 'merchant';
      readonly merchantId: string;
      readonly mode: 'test' | 'live';
      /** The API key used (streams of a revoked key end). */
      readonly keyId: string;
      /** The key was rolled and works only until its grace period ends: it cannot manage keys. */
      readonly keyExpiring: boolean;
    }
  | {
      readonly kind: 'operator';
      /** A named operator account; null for the bootstrap key (KASSA_OPERATOR_KEY). */
      readonly operatorId: string | null;
    };

/** The idempotency scope of a caller: keys never collide across callers. */
export function principalScope(principal: Principal | null): string {
  if (principal === null) return 'anonymous';
  switch (principal.kind) {
    case 'user':
      return `user:${principal.userId}`;
    case 'merchant':
      return `merchant:${principal.merchantId}`;
    case 'operator':
      return 'operator';
  }
}
