/**
 * The SQL one unbatched P2P payment runs, as a pgbench script: claim the idempotency key, lock
 * both accounts in id order, insert the transfer and its journal events, update both balances,
 * insert the payment row, complete the key: one transaction per payment, as a naive service
 * would. `hot` sends every payment to one account (account 0, the merchant).
 */
export function paymentTransactionScript(options: { hot: boolean }): string {
  const credit = options.hot ? 0 : ':b';
  const account = (n: string | number) => `(select id from bench_accounts where n = ${n})`;
  const key = `'bench-' || :k || '-' || :client_id`;
  return `\\set a random(1, :naccounts)
\\set b 1 + (:a % :naccounts)
\\set k random(1, 1000000000000)
BEGIN;
INSERT INTO idempotency_keys (scope, key, request_sha256, status) VALUES ('bench', ${key}, '\\x00', 'in_progress');
SELECT id FROM ledger_accounts WHERE id IN (${account(':a')}, ${account(credit)}) ORDER BY id FOR UPDATE;
WITH t AS (
  INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, pending_amount, currency, code, flags, pending_id, timeout_seconds, created_at)
  VALUES (gen_random_uuid(), ${account(':a')}, ${account(credit)}, 1, 0, 'USD', 'p2p', 0, null, 0, now()) RETURNING id)
INSERT INTO journal_events (id, type, stream_id, data)
  SELECT gen_random_uuid(), 'ledger.transfer_posted', id, '{"amount":"1"}'::jsonb FROM t
  UNION ALL SELECT gen_random_uuid(), 'transfer.created', id, '{"amount":"1"}'::jsonb FROM t;
UPDATE ledger_accounts SET debits_posted = debits_posted + 1 WHERE id = ${account(':a')};
UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = ${account(credit)};
INSERT INTO payments (id, kind, status, payer_account_id, payee_account_id, amount, currency, created_at, updated_at)
  VALUES (gen_random_uuid(), 'transfer', 'succeeded', ${account(':a')}, ${account(credit)}, 1, 'USD', now(), now());
UPDATE idempotency_keys SET status = 'completed', response_status = 201, response_body = '{}' WHERE scope = 'bench' AND key = ${key};
COMMIT;
`;
}
