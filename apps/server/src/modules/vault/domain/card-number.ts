/** Card number checks: digits only, a known brand with its lengths, and the Luhn checksum. */
import { luhnValid } from '../../../kernel/luhn.ts';

export const cardBrands = ['visa', 'mastercard', 'amex', 'discover'] as const;
export type CardBrand = (typeof cardBrands)[number];

export function normalizeCardNumber(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '');
  return /^[0-9]{12,19}$/.test(digits) ? digits : null;
}

export function cardBrand(digits: string): CardBrand | null {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits.startsWith('4') && [13, 16, 19].includes(digits.length)) return 'visa';
  if (((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) && digits.length === 16)
    return 'mastercard';
  if ((two === 34 || two === 37) && digits.length === 15) return 'amex';
  if ((digits.startsWith('6011') || two === 65) && [16, 19].includes(digits.length))
    return 'discover';
  return null;
}

export type CardRejection =
  'invalid_number' | 'unsupported_brand' | 'expired_card' | 'invalid_expiry' | 'invalid_cvc';

/** Validates a card as entered. `now` decides expiry (a card is valid through its expiry month). */
export function checkCard(
  card: { number: string; exp_month: number; exp_year: number; cvc: string },
  now: Date,
): { ok: true; digits: string; brand: CardBrand } | { ok: false; code: CardRejection } {
  const digits = normalizeCardNumber(card.number);
  if (digits === null || !luhnValid(digits)) return { ok: false, code: 'invalid_number' };
  const brand = cardBrand(digits);
  if (brand === null) return { ok: false, code: 'unsupported_brand' };
  if (!Number.isInteger(card.exp_month) || card.exp_month < 1 || card.exp_month > 12)
    return { ok: false, code: 'invalid_expiry' };
  const year = card.exp_year < 100 ? 2000 + card.exp_year : card.exp_year;
  const monthsNow = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const monthsCard = year * 12 + (card.exp_month - 1);
  if (monthsCard < monthsNow) return { ok: false, code: 'expired_card' };
  if (monthsCard > monthsNow + 12 * 20) return { ok: false, code: 'invalid_expiry' };
  if (!new RegExp(brand === 'amex' ? '^[0-9]{4}$' : '^[0-9]{3}$').test(card.cvc))
    return { ok: false, code: 'invalid_cvc' };
  return { ok: true, digits, brand };
}
