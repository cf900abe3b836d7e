/**
 * Test cards in the style processors publish (shared/API.md): the last digits pick the
 * behaviour; any other valid number approves. Bank accounts work the same way for payouts.
 */
export type CardBehaviour =
  | { readonly outcome: 'approve' }
  | { readonly outcome: 'decline'; readonly declineCode: string }
  | { readonly outcome: 'authenticate' }
  | { readonly outcome: 'processing_error' };

const cards: Record<string, CardBehaviour> = {
  '4000000000000002': { outcome: 'decline', declineCode: 'card_declined' },
  '4000000000009995': { outcome: 'decline', declineCode: 'insufficient_funds' },
  '4000000000003220': { outcome: 'authenticate' },
  '4000000000000119': { outcome: 'processing_error' },
};

export function cardBehaviour(
  card: { number: string; exp_month: number; exp_year: number },
  now: Date,
): CardBehaviour {
  const expiresAfter = new Date(Date.UTC(card.exp_year, card.exp_month, 1));
  if (expiresAfter <= now) return { outcome: 'decline', declineCode: 'expired_card' };
  if (!luhnValid(card.number)) return { outcome: 'decline', declineCode: 'incorrect_number' };
  return cards[card.number] ?? { outcome: 'approve' };
}

/** Payout test accounts: these fail; any other account number is paid. */
const failingAccounts: Record<string, string> = {
  '000111111116': 'no_account',
  '000111111113': 'account_closed',
  '000222222227': 'insufficient_funds_at_bank',
};

export function payoutFailure(accountNumber: string): string | null {
  return failingAccounts[accountNumber] ?? null;
}

function luhnValid(number: string): boolean {
  if (!/^[0-9]{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
