export {
  claimIdempotencyKey,
  claimIdempotencyKeys,
  addKeyCompletion,
  completeIdempotencyKey,
  reapIdempotencyKeys,
  runIdempotent,
  type ClaimOutcome,
  type IdempotencyClaim,
  type StoredResponse,
} from './idempotency-keys.ts';
export {
  requestFingerprint,
  sameRequest,
  secretFields,
  withoutSecrets,
} from './domain/request-fingerprint.ts';
export { idempotencyClaim, sendStored } from './request-claim.ts';
