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
