import { newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
import type { Ledger } from '../ledger/index.ts';

/**
 * System accounts, one per purpose and currency: `funding` (the source of operator credits; its
 * debits may exceed its credits), `fees` (merchant fees collected), `card_clearing` (what the
 * card processor owes us for top-ups it captured) and `payouts` (money sent out to banks). Created on first use and
 * cached: an account id never changes once made.
 */
export const systemAccountCodes = ['funding', 'fees', 'card_clearing', 'payouts'] as const;
export type SystemAccountCode = (typeof systemAccountCodes)[number];

export function createSystemAccounts(db: Db, ledger: Ledger) {
  const cache = new Map<string, Promise<string>>();

  async function load(code: SystemAccountCode, currency: Currency): Promise<string> {
    const existing = await db.query<{ account_id: string }>(
      'select account_id from system_accounts where code = $1 and currency = $2',
      [code, currency],
    );
    if (existing[0] !== undefined) return existing[0].account_id;
    return db.transaction(async (client) => {
      const accountId = newUuid();
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [
        `system_account:${code}:${currency}`,
      ]);
      const again = await client.query<{ account_id: string }>(
        'select account_id from system_accounts where code = $1 and currency = $2',
        [code, currency],
      );
      if (again.rows[0] !== undefined) return again.rows[0].account_id;
      await ledger.openAccounts(client, [
        { id: accountId, currency, code: `system_${code}`, flags: 0 },
      ]);
      await client.query(
        'insert into system_accounts (code, currency, account_id) values ($1, $2, $3)',
        [code, currency, accountId],
      );
      return accountId;
    });
  }

  return {
    accountId(code: SystemAccountCode, currency: Currency): Promise<string> {
      const key = `${code}:${currency}`;
      let found = cache.get(key);
      if (found === undefined) {
        found = load(code, currency);
        found.catch(() => cache.delete(key));
        cache.set(key, found);
      }
      return found;
    },
  };
}

export type SystemAccounts = ReturnType<typeof createSystemAccounts>;
