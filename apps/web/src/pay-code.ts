/** What a merchant's QR code holds: `kassa:pay?merchant=mer_…&amount=1250&currency=USD`. */
export interface PayRequest {
  readonly merchant: string;
  readonly amount: number;
  readonly currency: string;
  readonly description?: string;
}

export function parsePayload(text: string): PayRequest | null {
  const trimmed = text.trim();
  let params: URLSearchParams;
  if (trimmed.startsWith('kassa:pay?'))
    params = new URLSearchParams(trimmed.slice('kassa:pay?'.length));
  else {
    try {
      params = new URL(trimmed).searchParams;
    } catch {
      return null;
    }
  }
  const merchant = params.get('merchant') ?? '';
  const amount = Number(params.get('amount'));
  const currency = params.get('currency') ?? '';
  if (
    !/^mer_[0-9a-z]{26}$/.test(merchant) ||
    !Number.isSafeInteger(amount) ||
    amount <= 0 ||
    !/^[A-Z]{3}$/.test(currency)
  )
    return null;
  const description = params.get('description');
  return { merchant, amount, currency, ...(description === null ? {} : { description }) };
}
