export { createCardVault, type CardVault } from './card-vault.ts';
export { vaultRoutes } from './routes.ts';
export { checkCard, luhnValid, cardBrand } from './domain/card-number.ts';
export {
  containsCardNumber,
  isCardLikeNumber,
  maskCardNumbers,
  maskCardNumbersDeep,
} from './domain/card-data-masking.ts';
