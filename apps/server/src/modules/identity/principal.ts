/** Who is calling. Every route checks ownership against this, never against request input. */
export type Principal =
  | { readonly kind: 'user'; readonly userId: string; readonly sessionFamilyId: string }
  | { readonly kind: 'merchant'; readonly merchantId: string; readonly mode: 'test' | 'live' }
  | { readonly kind: 'operator' };

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
