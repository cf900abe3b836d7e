/**
 * The payment code being paid (#/pay → #/pay/review): kept for this tab so Back, the system
 * back gesture and a reload return to it (sessionStorage: gone when the tab closes).
 */
const key = 'kassa:pay-draft';

export function payDraft(): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function savePayDraft(code: string): void {
  sessionStorage.setItem(key, code);
}

export function clearPayDraft(): void {
  sessionStorage.removeItem(key);
}
