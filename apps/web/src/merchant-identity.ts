/**
 * The merchant's legal name as the operator verified it (`verified_name`), which the merchant
 * cannot change, unlike its display name. Null when it is not verified, or when the API does
 * not send the field (an older server).
 */
export function verifiedNameOf(profile: object): string | null {
  const value = (profile as { verified_name?: unknown }).verified_name;
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** What the payment review says about who the merchant is. */
export function identityText(verifiedName: string | null): string {
  return verifiedName === null ? 'Not verified' : `Verified: ${verifiedName}`;
}
