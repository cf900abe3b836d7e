export { createCardVault, type CardVault } from './card-vault.ts';
export { vaultRoutes } from './routes.ts';
export { checkCard, cardBrand } from './domain/card-number.ts';
export {
  containsCardNumber,
  isCardLikeNumber,
  maskCardNumbers,
  maskCardNumbersDeep,
} from '../../kernel/card-data-masking.ts';
