import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId, newUuid } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import { checkCard, type CardBrand } from './domain/card-number.ts';
import type { Keyring } from '../../platform/keyring.ts';

interface CardRow {
  id: string;
  brand: CardBrand;
  bin: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  fingerprint: Buffer;
  created_at: Date;
}

export function paymentMethodView(row: CardRow) {
  return {
    id: encodeId('pm', row.id),
    object: 'payment_method' as const,
    type: 'card' as const,
    card: {
      brand: row.brand,
      bin: row.bin,
      last4: row.last4,
      exp_month: row.exp_month,
      exp_year: row.exp_year,
      fingerprint: row.fingerprint.toString('hex').slice(0, 16),
    },
    created_at: row.created_at.toISOString(),
  };
}

/** AES-256-GCM; layout IV (12) · tag (16) · ciphertext; `aad` binds the ciphertext to its row. */
function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

const cardErrors = {
  invalid_number: ['invalid_card_number', 'card.number'],
  unsupported_brand: ['unsupported_card_brand', 'card.number'],
  expired_card: ['expired_card', 'card.exp_year'],
  invalid_expiry: ['invalid_card_expiry', 'card.exp_month'],
  invalid_cvc: ['invalid_cvc', 'card.cvc'],
} as const;

/**
 * The card vault: the only module that sees full card numbers, besides the processor connector
 * it hands them to. Each card gets its own data key; the data key is wrapped by the current
 * key-encryption key (KEK). Rotation re-wraps data keys without touching card ciphertext.
 */
export function createCardVault(deps: { db: Db; clock: Clock; keys: () => Keyring }) {
  const { db } = deps;
  const columns = 'id, brand, bin, last4, exp_month, exp_year, fingerprint, created_at';

  function fingerprintOf(digits: string): Buffer {
    return createHmac('sha256', deps.keys().fingerprintKey).update(digits).digest();
  }

  function wrap(id: string, dataKey: Buffer, keys: Keyring): Buffer {
    const kek = keys.keks.get(keys.current);
    if (kek === undefined) throw new Error('current KEK missing');
    return seal(kek, dataKey, `${id}:${keys.current}`);
  }

  function unwrap(id: string, version: string, wrapped: Buffer): Buffer {
    const kek = deps.keys().keks.get(version);
    if (kek === undefined)
      throw new KassaError('internal_error', `vault key ${version} is not loaded`);
    return open(kek, wrapped, `${id}:${version}`);
  }

  return {
    /** Stores a card; the same number for the same user returns the existing payment method. */
    async storeCard(
      userId: string,
      card: { number: string; exp_month: number; exp_year: number; cvc: string },
    ) {
      const checked = checkCard(card, deps.clock.now());
      if (!checked.ok) {
        const [code, param] = cardErrors[checked.code];
        throw new KassaError(code, undefined, { param });
      }
      const fingerprint = fingerprintOf(checked.digits);
      const expYear = card.exp_year < 100 ? 2000 + card.exp_year : card.exp_year;
      return db.transaction(async (client) => {
        await client.query('select pg_advisory_xact_lock(hashtext($1))', [`vault:${userId}`]);
        const existing = await client.query<CardRow>(
          `select ${columns} from vault_cards where user_id = $1 and fingerprint = $2 and exp_month = $3 and exp_year = $4 and deleted_at is null`,
          [userId, fingerprint, card.exp_month, expYear],
        );
        if (existing.rows[0] !== undefined)
          return { created: false, view: paymentMethodView(existing.rows[0]) };
        const id = newUuid();
        const keys = deps.keys();
        const dataKey = randomBytes(32);
        const rows = await client.query<CardRow>(
          `insert into vault_cards (id, user_id, fingerprint, brand, bin, last4, exp_month, exp_year, kek_version, wrapped_data_key, number_ciphertext)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${columns}`,
          [
            id,
            userId,
            fingerprint,
            checked.brand,
            checked.digits.slice(0, 6),
            checked.digits.slice(-4),
            card.exp_month,
            expYear,
            keys.current,
            wrap(id, dataKey, keys),
            seal(dataKey, Buffer.from(checked.digits), id),
          ],
        );
        dataKey.fill(0);
        return { created: true, view: paymentMethodView(rows.rows[0]!) };
      });
    },

    async listCards(userId: string) {
      const rows = await db.query<CardRow>(
        `select ${columns} from vault_cards where user_id = $1 and deleted_at is null order by id desc limit 100`,
        [userId],
      );
      return rows.map(paymentMethodView);
    },

    /** Deletes a card: its key material is destroyed (crypto-shredding); display fields stay. */
    async deleteCard(userId: string, cardId: string): Promise<boolean> {
      const rows = await db.query(
        `update vault_cards set deleted_at = now(), wrapped_data_key = null, number_ciphertext = null, kek_version = null
          where id = $1 and user_id = $2 and deleted_at is null returning id`,
        [cardId, userId],
      );
      return rows.length === 1;
    },

    /** The one internal way out: the full number, for the processor connector only. */
    /** The one way a card number leaves the vault: for the processor connector, audited. */
    async revealForProcessor(
      cardId: string,
      reference: string,
    ): Promise<{ number: string; expMonth: number; expYear: number } | null> {
      const rows = await db.query<{
        kek_version: string;
        wrapped_data_key: Buffer;
        number_ciphertext: Buffer;
        exp_month: number;
        exp_year: number;
      }>(
        'select kek_version, wrapped_data_key, number_ciphertext, exp_month, exp_year from vault_cards where id = $1 and deleted_at is null',
        [cardId],
      );
      const row = rows[0];
      await recordAudit(
        db,
        {
          actor: 'system:processor-connector',
          action: 'vault.card_revealed',
          object: encodeId('pm', cardId),
          outcome: row === undefined ? 'failure' : 'success',
          details: { reference },
        },
        deps.clock.now(),
      );
      if (row === undefined) return null;
      const dataKey = unwrap(cardId, row.kek_version, row.wrapped_data_key);
      const number = open(dataKey, row.number_ciphertext, cardId).toString();
      dataKey.fill(0);
      return { number, expMonth: row.exp_month, expYear: row.exp_year };
    },

    /**
     * Re-wraps every data key not yet under the current KEK, in batches, each in its own short
     * transaction (online: cards stay readable throughout, under either key).
     */
    async rewrapAll(
      onProgress: (done: number, total: number) => void,
      batchSize = 200,
    ): Promise<number> {
      const keys = deps.keys();
      const total = Number(
        (
          await db.query<{ n: string }>(
            'select count(*)::text as n from vault_cards where deleted_at is null and kek_version <> $1',
            [keys.current],
          )
        )[0]?.n ?? 0,
      );
      let done = 0;
      onProgress(done, total);
      for (;;) {
        const moved = await db.transaction(async (client) => {
          const rows = await client.query<{
            id: string;
            kek_version: string;
            wrapped_data_key: Buffer;
          }>(
            `select id, kek_version, wrapped_data_key from vault_cards where deleted_at is null and kek_version <> $1
              order by id limit $2 for update skip locked`,
            [keys.current, batchSize],
          );
          for (const row of rows.rows) {
            const dataKey = unwrap(row.id, row.kek_version, row.wrapped_data_key);
            await client.query(
              'update vault_cards set wrapped_data_key = $2, kek_version = $3 where id = $1',
              [row.id, wrap(row.id, dataKey, keys), keys.current],
            );
            dataKey.fill(0);
          }
          return rows.rows.length;
        });
        if (moved === 0) break;
        done += moved;
        onProgress(done, total);
      }
      return done;
    },
  };
}

export type CardVault = ReturnType<typeof createCardVault>;
