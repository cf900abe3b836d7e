import { createHash } from 'node:crypto';
import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { notificationChannel } from './notifications-consumer.ts';

export type OperatorAlertType =
  | 'backup_failed'
  | 'wal_archive_lagging'
  | 'dr_drill_failed'
  | 'fraud_reported'
  | 'risk_rules_stopped'
  | 'business_anomaly'
  | 'business_anomaly_cleared';

export interface OperatorAlert {
  /** Names the incident: the same incident alerts once, however often it is seen. */
  readonly incident: string;
  readonly type: OperatorAlertType;
  readonly title: string;
  readonly body: string;
  readonly objectId?: string | null;
}

/** A stable UUID for an incident's name (its row's `event_id`). */
function incidentId(incident: string): string {
  const hex = createHash('sha256').update(incident).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Puts an alert in the operator's feed (`GET /v1/notifications` with the operator key, and its
 * stream). Trouble that must not make a node unready — a failed backup, WAL piling up, a failed
 * drill — is told here, and on /metrics. Returns whether it was new.
 */
export async function alertOperator(q: Queryable, alert: OperatorAlert): Promise<boolean> {
  const inserted = await q.query(
    `insert into notifications (id, operator, type, title, body, object_id, event_id)
     values ($1, true, $2, $3, $4, $5, $6) on conflict do nothing`,
    [
      newUuid(),
      alert.type,
      alert.title,
      alert.body,
      alert.objectId ?? null,
      incidentId(`${alert.type}:${alert.incident}`),
    ],
  );
  if ((inserted.rowCount ?? 0) === 0) return false;
  await q.query('select pg_notify($1, $2)', [notificationChannel, 'operator']);
  return true;
}
