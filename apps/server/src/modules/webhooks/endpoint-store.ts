import { randomBytes } from 'node:crypto';
import { encodeId, newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import type { SealedColumn } from '../../platform/reseal.ts';
import type { SecretBox } from '../../platform/secret-box.ts';

export interface EndpointRecord {
  readonly id: string;
  readonly merchantId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly status: 'enabled' | 'disabled';
  readonly disabledReason: string | null;
  readonly createdAt: Date;
}

interface Row {
  id: string;
  merchant_id: string;
  url: string;
  event_types: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  created_at: Date;
  secret_sealed: Buffer;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
}

const columns = `id, merchant_id, url, event_types, status, disabled_reason, created_at, secret_sealed,
  previous_secret_sealed, previous_secret_expires_at`;

function fromRow(row: Row): EndpointRecord {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    url: row.url,
    eventTypes: row.event_types,
    status: row.status,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
  };
}

export function endpointView(e: EndpointRecord, secret?: string) {
  return {
    id: encodeId('we', e.id),
    object: 'webhook_endpoint' as const,
    url: e.url,
    events: e.eventTypes,
    status: e.status,
    disabled_reason: e.disabledReason,
    created_at: e.createdAt.toISOString(),
    ...(secret === undefined ? {} : { secret }),
  };
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** How long the previous secret keeps signing after a rotation. */
export const previousSecretGraceMs = 24 * 3_600_000;

export function createEndpointStore(box: SecretBox) {
  const seal = (secret: string) => box.seal(Buffer.from(secret));
  const open = (sealed: Buffer) => box.open(sealed).toString();

  return {
    async create(
      q: Queryable,
      merchantId: string,
      url: string,
      eventTypes: readonly string[],
      now: Date,
    ) {
      const secret = newWebhookSecret();
      const rows = await q.query<Row>(
        `insert into webhook_endpoints (id, merchant_id, url, event_types, secret_sealed, created_at)
         values ($1, $2, $3, $4, $5, $6) returning ${columns}`,
        [newUuid(), merchantId, url, eventTypes, seal(secret), now],
      );
      return { endpoint: fromRow(rows.rows[0]!), secret };
    },

    /** Endpoints the merchant has (deleted ones do not count). */
    async count(q: Queryable, merchantId: string): Promise<number> {
      const rows = await q.query<{ n: number }>(
        'select count(*)::int as n from webhook_endpoints where merchant_id = $1 and deleted_at is null',
        [merchantId],
      );
      return rows.rows[0]?.n ?? 0;
    },

    async list(q: Queryable, merchantId: string): Promise<EndpointRecord[]> {
      const rows = await q.query<Row>(
        `select ${columns} from webhook_endpoints where merchant_id = $1 and deleted_at is null order by id`,
        [merchantId],
      );
      return rows.rows.map(fromRow);
    },

    async get(q: Queryable, merchantId: string, id: string): Promise<EndpointRecord | null> {
      const rows = await q.query<Row>(
        `select ${columns} from webhook_endpoints where id = $1 and merchant_id = $2 and deleted_at is null`,
        [id, merchantId],
      );
      return rows.rows[0] === undefined ? null : fromRow(rows.rows[0]);
    },

    async remove(q: Queryable, merchantId: string, id: string, now: Date): Promise<boolean> {
      const result = await q.query(
        `update webhook_endpoints set deleted_at = $3, status = 'disabled', disabled_reason = 'deleted'
          where id = $1 and merchant_id = $2 and deleted_at is null`,
        [id, merchantId, now],
      );
      return result.rowCount === 1;
    },

    /** A new secret; the old one keeps signing (second signature) for a day. */
    async rotate(q: Queryable, merchantId: string, id: string, now: Date): Promise<string | null> {
      const secret = newWebhookSecret();
      const result = await q.query(
        `update webhook_endpoints
            set previous_secret_sealed = secret_sealed, previous_secret_expires_at = $4, secret_sealed = $3
          where id = $1 and merchant_id = $2 and deleted_at is null`,
        [id, merchantId, seal(secret), new Date(now.getTime() + previousSecretGraceMs)],
      );
      return result.rowCount === 1 ? secret : null;
    },

    /** The secrets that sign a delivery now: the current one, and the previous during its grace. */
    async signingSecrets(q: Queryable, id: string, now: Date): Promise<string[]> {
      const rows = await q.query<Row>(`select ${columns} from webhook_endpoints where id = $1`, [
        id,
      ]);
      const row = rows.rows[0];
      if (row === undefined) return [];
      const secrets = [open(row.secret_sealed)];
      if (
        row.previous_secret_sealed !== null &&
        row.previous_secret_expires_at !== null &&
        row.previous_secret_expires_at > now
      )
        secrets.push(open(row.previous_secret_sealed));
      return secrets;
    },
  };
}

export type EndpointStore = ReturnType<typeof createEndpointStore>;

/** The sealed signing secrets (current and previous), for `kassa keys rotate`. */
export function endpointSealedColumns(box: SecretBox): SealedColumn[] {
  return [
    { table: 'webhook_endpoints', key: 'id', column: 'secret_sealed', box },
    { table: 'webhook_endpoints', key: 'id', column: 'previous_secret_sealed', box },
  ];
}
