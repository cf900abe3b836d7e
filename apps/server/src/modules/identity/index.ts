export { createAuthenticator } from './authenticate.ts';
export {
  accessTokenKeysFromSecret,
  signAccessToken,
  verifyAccessToken,
  type AccessTokenKeys,
} from './access-tokens.ts';
export { identityRoutes } from './routes.ts';
export { createMerchant, getMerchant, defaultFeeBps, type MerchantRecord } from './merchants.ts';
export { createMerchantProfiles, type MerchantProfiles } from './merchant-profiles.ts';
export {
  createUser,
  findRecipientWallet,
  getWallet,
  listWallets,
  preparePasswordHash,
  type WalletRecord,
} from './users.ts';
export { openSession, type SessionSettings } from './sessions.ts';
export { hashPassword } from './passwords.ts';
export { newSecret, sha256 } from './secret-tokens.ts';
export { sessionRoutes } from './session-routes.ts';
export { twoFactorRoutes } from './two-factor-routes.ts';
export { createRevokedSessions, type RevokedSessions } from './revoked-sessions.ts';
export { passwordPolicy, secondFactorPolicy } from './lockout.ts';
export { rekeyRecoveryCodes, totpSealedColumns, type FactorSecrets } from './two-factor.ts';
export { createStepUpVerifier, type StepUpVerifier } from './step-up-verifier.ts';
export { deviceRoutes } from './device-routes.ts';
export {
  reapSeenSignatures,
  verifyDeviceSignature,
  signingInput,
  signatureFreshnessSeconds,
} from './devices.ts';
export { createRequestDeviceCheck, type RequestDevice } from './request-device.ts';
export { createPrincipalLiveness, type PrincipalLiveness } from './principal-liveness.ts';
export { apiKeyRoutes } from './api-key-routes.ts';
export { reapKnownAddresses } from './known-addresses.ts';
export { operatorRoutes } from './operator-routes.ts';
