import { createHmac } from 'node:crypto';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Db, DbClient, Queryable } from '../../platform/db.ts';
import type { WalletRecord } from '../identity/index.ts';

export interface Recipient {
  readonly wallet: WalletRecord;
  /** What the payer may see of the recipient: first name and last initial ("Ada L."). */
  readonly displayName: string;
  /** The payer has never sent this recipient money before. */
  readonly firstPayment: boolean;
}

/** "Ada Lovelace" → "Ada L."; one word stays as it is. */
export function maskedDisplayName(fullName: string): string {
  const words = fullName
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [first = '', ...rest] = words;
  const last = rest.at(-1);
  return last === undefined ? first : `${first} ${[...last][0] ?? ''}.`;
}

/**
 * Finds recipients by email, `usr_` or `wal_` id, without turning into an oracle of who has an
 * account: a payer learns at most a masked display name, only for accounts that exist, and only
 * for `probesPerHour` distinct unknown recipients an hour. Past that, every lookup of a new
 * recipient is refused for the rest of the hour (answering only the unknown ones with 429 would
 * still tell them apart). A payer's lookups run one at a time (an advisory lock per payer), so
 * a burst cannot race past the limit. Unknown recipients are kept as keyed digests.
 */
export function createRecipients(deps: {
  db: Db;
  clock: Clock;
  lookupKey: Buffer;
  probesPerHour: number;
}) {
  const digest = (to: string) =>
    createHmac('sha256', deps.lookupKey).update(`recipient\n${to.trim().toLowerCase()}`).digest();

  async function find(
    client: DbClient,
    to: string,
    currency: Currency,
  ): Promise<{ wallet: WalletRecord; name: string } | 'wrong_currency' | null> {
    const walletId = to.startsWith('wal_') ? decodeId('wal', to) : null;
    const userId = to.startsWith('usr_') ? decodeId('usr', to) : null;
    const email = !to.startsWith('wal_') && !to.startsWith('usr_') && to.includes('@') ? to : null;
    if (walletId === null && userId === null && email === null) return null;
    const rows = await client.query<{
      id: string;
      user_id: string;
      currency: Currency;
      name: string;
    }>(
      `select w.id, w.user_id, w.currency, u.name from wallets w join users u on u.id = w.user_id
        where (w.id = $1 or (w.currency = $4 and (u.id = $2 or lower(u.email) = lower($3))))
        limit 1`,
      [walletId, userId, email, currency],
    );
    const row = rows.rows[0];
    if (row === undefined) return null;
    if (row.currency !== currency) return 'wrong_currency';
    return { wallet: { id: row.id, userId: row.user_id, currency: row.currency }, name: row.name };
  }

  async function paidBefore(q: Queryable, payerId: string, recipientId: string): Promise<boolean> {
    const rows = await q.query(
      `select 1 from payments where payer_user_id = $1 and payee_user_id = $2 and kind = 'transfer'
          and status = 'succeeded' limit 1`,
      [payerId, recipientId],
    );
    return rows.rowCount === 1;
  }

  return {
    /** Resolves `to` for `payerId`; throws recipient_not_found (404) or rate_limited (429). */
    async resolve(payerId: string, to: string, currency: Currency): Promise<Recipient> {
      const now = deps.clock.now();
      const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
      const found = await deps.db.transaction(async (client) => {
        await client.query('select pg_advisory_xact_lock(hashtext($1))', [`recipients:${payerId}`]);
        const probes = await client.query<{ n: number }>(
          'select count(*)::int as n from recipient_probes where user_id = $1 and probed_at > $2',
          [payerId, hourAgo],
        );
        const known = await client.query(
          'select 1 from recipient_probes where user_id = $1 and recipient_digest = $2 and probed_at > $3',
          [payerId, digest(to), hourAgo],
        );
        const limited = (probes.rows[0]?.n ?? 0) >= deps.probesPerHour && known.rowCount === 0;
        const result = await find(client, to, currency);
        // Past the limit only people already paid can still be found: known and unknown
        // recipients get the same refusal.
        if (limited)
          return typeof result === 'object' &&
            result !== null &&
            (await paidBefore(client, payerId, result.wallet.userId))
            ? result
            : 'limited';
        if (result === null)
          await client.query(
            `insert into recipient_probes (user_id, recipient_digest, probed_at) values ($1, $2, $3)
             on conflict (user_id, recipient_digest) do update set probed_at = excluded.probed_at`,
            [payerId, digest(to), now.toISOString()],
          );
        return result;
      });
      if (found === 'limited')
        throw new KassaError(
          'rate_limited',
          'Too many recipients that are not on Kassa were tried in the last hour. Check the address, or try again later.',
          { param: 'to', retryAfterSeconds: 3_600 },
        );
      if (found === 'wrong_currency')
        throw new KassaError('currency_mismatch', `That wallet does not hold ${currency}.`, {
          param: 'currency',
        });
      if (found === null) throw new KassaError('recipient_not_found', undefined, { param: 'to' });
      return {
        wallet: found.wallet,
        displayName: maskedDisplayName(found.name),
        firstPayment: !(await paidBefore(deps.db.pool, payerId, found.wallet.userId)),
      };
    },

    /** Forgets probes older than any window reads; returns how many. */
    async reap(now: Date): Promise<number> {
      const result = await deps.db.pool.query('delete from recipient_probes where probed_at < $1', [
        new Date(now.getTime() - 2 * 3_600_000).toISOString(),
      ]);
      return result.rowCount ?? 0;
    },
  };
}

export type Recipients = ReturnType<typeof createRecipients>;
