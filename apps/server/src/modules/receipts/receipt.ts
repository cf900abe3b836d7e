import { encodeId, decodeId } from '../../kernel/ids.ts';
import { formatMoney, type Currency } from '../../kernel/money.ts';
import type { Queryable } from '../../platform/db.ts';
import type { Principal } from '../../kernel/principal.ts';
import { maskedDisplayName } from '../payments/index.ts';

export interface Receipt {
  readonly id: string;
  readonly object: 'receipt';
  /** Short, printable, stable: what a customer reads out to support. */
  readonly reference: string;
  readonly type: 'payment' | 'transfer' | 'refund' | 'topup';
  readonly status: string;
  readonly amount: number;
  readonly currency: string;
  readonly amount_display: string;
  readonly fee: number | null;
  readonly net: number | null;
  readonly amount_refunded: number | null;
  readonly from: { readonly type: string; readonly name: string };
  readonly to: { readonly type: string; readonly name: string };
  readonly description: string | null;
  readonly refunded_payment: string | null;
  readonly created_at: string;
}

/** `KS-` and the id's last 10 base32 characters in two groups: unique enough, easy to read. */
export function receiptReference(wireId: string): string {
  const tail = wireId.slice(-10).toUpperCase();
  return `KS-${tail.slice(0, 5)}-${tail.slice(5)}`;
}

interface Row {
  id: string;
  kind: 'payment' | 'transfer' | 'topup';
  status: string;
  amount: bigint;
  currency: Currency;
  fee: bigint;
  amount_refunded: bigint;
  description: string | null;
  created_at: Date;
  payer_user_id: string | null;
  payee_user_id: string | null;
  merchant_id: string | null;
  payer_name: string | null;
  payee_name: string | null;
  merchant_name: string | null;
  card: string | null;
}

const paymentSql = `select p.id, p.kind, p.status, p.amount, p.currency, p.fee, p.amount_refunded, p.description, p.created_at,
       p.payer_user_id, p.payee_user_id, p.merchant_id, payer.name as payer_name, payee.name as payee_name,
       coalesce(m.verified_name, m.name) as merchant_name,
       (select initcap(c.brand) || ' •••• ' || c.last4 from processor_flows f join vault_cards c on c.id = f.payment_method_id
         where f.payment_id = p.id) as card
  from payments p
  left join users payer on payer.id = p.payer_user_id
  left join users payee on payee.id = p.payee_user_id
  left join merchants m on m.id = p.merchant_id
 where p.id = $1`;

function canSee(
  principal: Principal,
  row: Pick<Row, 'payer_user_id' | 'payee_user_id' | 'merchant_id'>,
) {
  if (principal.kind === 'user')
    return principal.userId === row.payer_user_id || principal.userId === row.payee_user_id;
  if (principal.kind === 'merchant') return principal.merchantId === row.merchant_id;
  return principal.kind === 'operator';
}

/**
 * The receipt of a succeeded payment, transfer, top-up or refund, for its payer, its payee or
 * its merchant (the merchant also sees the fee and what it nets). Null: no such receipt for
 * this caller (unknown, not theirs, or not succeeded).
 */
export async function findReceipt(
  q: Queryable,
  principal: Principal,
  wireId: string,
): Promise<Receipt | null> {
  const wire = (n: bigint) => Number(n);
  const prefix = wireId.slice(0, wireId.indexOf('_'));
  if (prefix === 'ref') {
    const refundId = decodeId('ref', wireId);
    if (refundId === null) return null;
    const refunds = await q.query<{
      payment_id: string;
      amount: bigint;
      status: string;
      reason: string | null;
      created_at: Date;
    }>('select payment_id, amount, status, reason, created_at from refunds where id = $1', [
      refundId,
    ]);
    const refund = refunds.rows[0];
    if (refund?.status !== 'succeeded') return null;
    const payment = (await q.query<Row>(paymentSql, [refund.payment_id])).rows[0];
    if (payment === undefined || !canSee(principal, payment)) return null;
    return {
      id: wireId,
      object: 'receipt',
      reference: receiptReference(wireId),
      type: 'refund',
      status: refund.status,
      amount: wire(refund.amount),
      currency: payment.currency,
      amount_display: formatMoney({ amountMinor: refund.amount, currency: payment.currency }),
      fee: null,
      net: null,
      amount_refunded: null,
      from: { type: 'merchant', name: payment.merchant_name ?? 'Merchant' },
      to: { type: 'user', name: payment.payer_name ?? 'Customer' },
      description: refund.reason,
      refunded_payment: encodeId('pay', payment.id),
      created_at: refund.created_at.toISOString(),
    };
  }
  const kind =
    prefix === 'pay'
      ? 'payment'
      : prefix === 'trf'
        ? 'transfer'
        : prefix === 'top'
          ? 'topup'
          : null;
  if (kind === null) return null;
  const id = decodeId(prefix === 'pay' ? 'pay' : prefix === 'trf' ? 'trf' : 'top', wireId);
  if (id === null) return null;
  const row = (await q.query<Row>(paymentSql, [id])).rows[0];
  if (
    row === undefined ||
    row.kind !== kind ||
    row.status !== 'succeeded' ||
    !canSee(principal, row)
  )
    return null;
  const merchantView = principal.kind === 'merchant' || principal.kind === 'operator';
  // A user reads the other person of a transfer as the app shows them ("Ada L."), as in the
  // wallet history; merchants (their verified name) and the user's own name in full.
  const userName = (userId: string | null, name: string | null) =>
    name === null
      ? 'Kassa user'
      : principal.kind === 'user' && principal.userId !== userId
        ? maskedDisplayName(name)
        : name;
  const from =
    kind === 'topup'
      ? { type: 'card', name: row.card ?? 'Card' }
      : { type: 'user', name: userName(row.payer_user_id, row.payer_name) };
  const to =
    kind === 'payment'
      ? { type: 'merchant', name: row.merchant_name ?? 'Merchant' }
      : { type: 'user', name: userName(row.payee_user_id, row.payee_name) };
  return {
    id: wireId,
    object: 'receipt',
    reference: receiptReference(wireId),
    type: kind,
    status: row.status,
    amount: wire(row.amount),
    currency: row.currency,
    amount_display: formatMoney({ amountMinor: row.amount, currency: row.currency }),
    fee: kind === 'payment' && merchantView ? wire(row.fee) : null,
    net: kind === 'payment' && merchantView ? wire(row.amount - row.fee) : null,
    amount_refunded: kind === 'payment' ? wire(row.amount_refunded) : null,
    from,
    to,
    description: row.description,
    refunded_payment: null,
    created_at: row.created_at.toISOString(),
  };
}
