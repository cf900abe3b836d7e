import { encodeId, type IdPrefix } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { wireAmount } from './payment-views.ts';
import { maskedDisplayName } from './recipients.ts';

interface HistoryRow {
  id: string;
  object: 'transfer' | 'payment' | 'funding' | 'refund' | 'topup' | 'payout';
  status: string;
  amount: bigint;
  currency: string;
  direction: 'debit' | 'credit';
  counterparty_kind: 'user' | 'merchant' | 'system';
  counterparty_id: string | null;
  counterparty_name: string | null;
  description: string | null;
  created_at: Date;
}

const prefixes: Record<HistoryRow['object'], IdPrefix> = {
  transfer: 'trf',
  payment: 'pay',
  funding: 'fnd',
  refund: 'ref',
  topup: 'top',
  payout: 'po',
};

/**
 * A wallet's history, newest first: transfers in and out, merchant payments, funding, top-ups,
 * payouts and refunds, each with its counterparty and direction. Ids are time-ordered, so `starting_after`
 * is a simple id bound.
 */
export async function walletHistory(
  q: Queryable,
  walletId: string,
  startingAfter: string | null,
  limit: number,
) {
  const rows = await q.query<HistoryRow>(
    `select * from (
       select p.id, p.kind as object, p.status, p.amount, p.currency,
              case when p.payer_account_id = $1 then 'debit' else 'credit' end as direction,
              case when p.merchant_id is not null then 'merchant' when p.kind in ('funding', 'topup', 'payout') then 'system' else 'user' end as counterparty_kind,
              case when p.merchant_id is not null then p.merchant_id
                   when p.kind in ('funding', 'topup', 'payout') then null
                   when p.payer_account_id = $1 then p.payee_user_id else p.payer_user_id end as counterparty_id,
              coalesce(m.name, case p.kind when 'topup' then 'Card top-up' when 'payout' then 'Bank payout' when 'funding' then 'Kassa' end,
                       case when p.payer_account_id = $1 then payee.name else payer.name end) as counterparty_name,
              p.description, p.created_at
         from payments p
         left join merchants m on m.id = p.merchant_id
         left join users payee on payee.id = p.payee_user_id
         left join users payer on payer.id = p.payer_user_id
        where (p.payer_account_id = $1
               -- A recipient sees a transfer once it moved money: not one declined or waiting.
               or (p.payee_account_id = $1 and (p.kind <> 'transfer' or p.status = 'succeeded')))
          and ($2::uuid is null or p.id < $2)
       union all
       select r.id, 'refund', r.status, r.amount, p.currency, 'credit', 'merchant', p.merchant_id, m.name, r.reason, r.created_at
         from refunds r join payments p on p.id = r.payment_id left join merchants m on m.id = p.merchant_id
        where p.payer_account_id = $1 and ($2::uuid is null or r.id < $2)
     ) h order by id desc limit $3`,
    [walletId, startingAfter, limit + 1],
  );
  const page = rows.rows.slice(0, limit);
  return {
    object: 'list' as const,
    data: page.map((row) => ({
      id: encodeId(prefixes[row.object], row.id),
      object: 'transaction' as const,
      type: row.object,
      status: row.status,
      amount: wireAmount(row.amount),
      currency: row.currency,
      direction: row.direction,
      counterparty: {
        type: row.counterparty_kind,
        id:
          row.counterparty_id === null
            ? null
            : encodeId(row.counterparty_kind === 'merchant' ? 'mer' : 'usr', row.counterparty_id),
        // A sender sees the person paid as the API shows recipients: a masked display name.
        name:
          row.object === 'transfer' && row.direction === 'debit' && row.counterparty_name !== null
            ? maskedDisplayName(row.counterparty_name)
            : row.counterparty_name,
      },
      description: row.description,
      created_at: row.created_at.toISOString(),
    })),
    has_more: rows.rows.length > limit,
  };
}

/** Decodes a cursor of any history object type. */
export function decodeHistoryCursor(
  wire: string | undefined,
  decode: (prefix: IdPrefix, wire: string) => string | null,
): string | null | undefined {
  if (wire === undefined) return null;
  for (const prefix of Object.values(prefixes)) {
    const id = decode(prefix, wire);
    if (id !== null) return id;
  }
  return undefined;
}
