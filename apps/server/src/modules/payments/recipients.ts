import { createHmac } from 'node:crypto';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
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

  /**
   * Resolves `to` for `payerId` in one round trip (`kassa_resolve_recipient`, migration 0017);
   * throws recipient_not_found (404), currency_mismatch or rate_limited (429).
   */
  async function lookUp(payerId: string, to: string, currency: Currency, firstPayment: boolean) {
    const walletId = to.startsWith('wal_') ? decodeId('wal', to) : null;
    const userId = to.startsWith('usr_') ? decodeId('usr', to) : null;
    const email = !to.startsWith('wal_') && !to.startsWith('usr_') && to.includes('@') ? to : null;
    const [found] = await deps.db.query<{
      outcome: 'found' | 'not_found' | 'wrong_currency' | 'limited';
      wallet_id: string | null;
      user_id: string | null;
      currency: Currency | null;
      name: string | null;
      first_payment: boolean | null;
    }>(
      `select outcome, wallet_id, user_id, currency, name, first_payment
         from kassa_resolve_recipient($1, $2, $3, $4, $5, $6, $7, $8, $9, true)`,
      [
        payerId,
        walletId,
        userId,
        email,
        digest(to),
        currency,
        deps.clock.now(),
        deps.probesPerHour,
        firstPayment,
      ],
    );
    switch (found?.outcome) {
      case 'found':
        return {
          wallet: { id: found.wallet_id!, userId: found.user_id!, currency: found.currency! },
          name: found.name ?? '',
          firstPayment: found.first_payment,
        };
      case 'limited':
        throw new KassaError(
          'rate_limited',
          'Too many recipients that are not on Kassa were tried in the last hour. Check the address, or try again later.',
          { param: 'to', retryAfterSeconds: 3_600 },
        );
      case 'wrong_currency':
        throw new KassaError('currency_mismatch', `That wallet does not hold ${currency}.`, {
          param: 'currency',
        });
      case 'not_found':
      case undefined:
        throw new KassaError('recipient_not_found', undefined, { param: 'to' });
    }
  }

  return {
    /** The recipient as the payer may see them (masked name, first payment or not). */
    async resolve(payerId: string, to: string, currency: Currency): Promise<Recipient> {
      const found = await lookUp(payerId, to, currency, true);
      return {
        wallet: found.wallet,
        displayName: maskedDisplayName(found.name),
        firstPayment: found.firstPayment === true,
      };
    },

    /** Only the wallet to pay into (the payment path: nothing else is read). */
    async wallet(payerId: string, to: string, currency: Currency): Promise<WalletRecord> {
      return (await lookUp(payerId, to, currency, false)).wallet;
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
