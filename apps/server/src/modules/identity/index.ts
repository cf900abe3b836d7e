export { createAuthenticator } from './authenticate.ts';
export {
  accessTokenKeysFromSecret,
  signAccessToken,
  verifyAccessToken,
  type AccessTokenKeys,
} from './access-tokens.ts';
export { principalScope, type Principal } from './principal.ts';
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
export { createSecretBox, type SecretBox } from './secret-box.ts';
export { createRevokedSessions } from './revoked-sessions.ts';
export { lockoutPolicy } from './lockout.ts';
export { createStepUpVerifier, type StepUpVerifier } from './step-up-verifier.ts';
export { deviceRoutes } from './device-routes.ts';
export { verifyDeviceSignature, signingInput, signatureFreshnessSeconds } from './devices.ts';
