export { createCardVault, type CardVault } from './card-vault.ts';
export { vaultRoutes } from './routes.ts';
export { addVaultKek, loadVaultKeys, vaultKeySource, type VaultKeys } from './vault-keys.ts';
export { checkCard, luhnValid, cardBrand } from './domain/card-number.ts';
export { maskCardNumbers, maskCardNumbersDeep } from './domain/card-data-masking.ts';
