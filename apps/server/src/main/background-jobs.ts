import type { Config } from '../config/config.ts';
import { assert } from '../kernel/assert.ts';
import type { Clock } from '../kernel/clock.ts';
import {
  createAnomalyMonitor,
  createOpsWebhook,
  registerAnomalyMetrics,
} from '../modules/anomaly/index.ts';
import {
  createBackupSchedule,
  registerBackupMetrics,
  type BackupSchedule,
  type BackupTarget,
} from '../modules/backup/index.ts';
import {
  jetstreamFeed,
  outboxFeed,
  tracedConsumer,
  type OutboxConsumer,
} from '../modules/events/index.ts';
import {
  reapKnownAddresses,
  reapSeenSignatures,
  rekeyRecoveryCodes,
  totpSealedColumns,
  type MerchantProfiles,
} from '../modules/identity/index.ts';
import { notificationsConsumer } from '../modules/notifications/index.ts';
import {
  expireStepUps,
  reapSpendWindows,
  reapStepUpDecisions,
  type Recipients,
} from '../modules/payments/index.ts';
import { flowSealedColumns } from '../modules/rails/index.ts';
import { registerDriftMetrics } from '../modules/risk/index.ts';
import {
  endpointSealedColumns,
  webhookFanOut,
  type WebhookDelivery,
} from '../modules/webhooks/index.ts';
import type { Logger } from '../platform/log.ts';
import { resealColumns, type SealedColumn } from '../platform/reseal.ts';
import { dropExpiredTracePartitions } from '../platform/trace-store.ts';
import type { Adapters } from './adapters.ts';
import type { ProcessorRails } from './processor-rails.ts';
import { startWorker, type HousekeepingTask, type Worker } from './worker.ts';

/**
 * The outbox consumers, by name: their durable JetStream consumers are `kassa_<name>`, and the
 * NATS server's configuration (`kassa nats-config`) grants the consumer identity these only.
 */
export const eventConsumerNames = ['webhooks', 'notifications', 'cache'] as const;

export interface BackgroundJobs {
  /** Every column of sealed secrets: `kassa keys rotate` re-seals them under the current key. */
  readonly sealedColumns: readonly SealedColumn[];
  /** The outbox consumers, in the order of `eventConsumerNames`. */
  readonly consumers: readonly OutboxConsumer[];
  /** Takes the cluster's backups on schedule (null: no backups configured). */
  readonly backupSchedule: BackupSchedule | null;
  /** Starts the background jobs in this process (`intervalMs` defaults to the configured ones). */
  startWorker(intervalMs?: number): Worker;
}

/**
 * Builds what the worker runs: the modules' housekeeping, the scheduled backups, the outbox
 * consumers and the feed that hands them committed events.
 */
export function createBackgroundJobs(deps: {
  config: Config;
  clock: Clock;
  logger: Logger;
  adapters: Adapters;
  processorRails: ProcessorRails;
  webhooks: WebhookDelivery;
  recipients: Recipients;
  merchantProfiles: MerchantProfiles;
  /** The cluster's backups: the worker takes them on schedule and watches the archive. */
  backup: BackupTarget | null | undefined;
}): BackgroundJobs {
  const { config, clock, logger } = deps;
  const { db, ledger, metrics, keyring } = deps.adapters;
  const sealedColumns = [
    ...totpSealedColumns(deps.adapters.factors.box),
    ...endpointSealedColumns(deps.adapters.webhookBox),
    ...flowSealedColumns(deps.adapters.bankBox),
  ];
  registerBackupMetrics(metrics.registry, db.pool, clock);
  registerDriftMetrics(metrics.registry, db.pool, clock);
  registerAnomalyMetrics(metrics.registry, db.pool);
  // Anomalies on business slices, judged once a minute (docs/observability.md).
  const anomalies = createAnomalyMonitor({
    db,
    logger,
    opsWebhook:
      config.opsWebhookUrl === undefined
        ? null
        : createOpsWebhook({ db, url: config.opsWebhookUrl, timeoutMs: 5_000, logger }),
  });
  const backupSchedule =
    deps.backup === undefined || deps.backup === null
      ? null
      : createBackupSchedule({
          db,
          target: deps.backup,
          settings: config.backup,
          clock,
          logger,
        });
  const housekeeping: HousekeepingTask[] = [
    {
      name: 'stepUpsExpired',
      run: () => expireStepUps({ db, clock }, config.stepUp.expirySeconds),
    },
    { name: 'spendWindowsReaped', run: (now) => reapSpendWindows(db.pool, now) },
    {
      name: 'stepUpDecisionsReaped',
      run: (now) =>
        reapStepUpDecisions(
          db.pool,
          new Date(now.getTime() - config.idempotencyKeyTtlHours * 3_600_000),
        ),
    },
    { name: 'recipientProbesReaped', run: (now) => deps.recipients.reap(now) },
    { name: 'deviceSignaturesReaped', run: (now) => reapSeenSignatures(db.pool, now) },
    { name: 'knownAddressesReaped', run: (now) => reapKnownAddresses(db.pool, now) },
    { name: 'anomaliesChanged', run: (now) => anomalies.run(now) },
    // Spans and log lines past TRACE_RETENTION_DAYS: whole day partitions dropped at once.
    {
      name: 'tracePartitionsDropped',
      run: (now) => dropExpiredTracePartitions(db.pool, now, config.tracing.retentionDays),
    },
    ...(backupSchedule === null
      ? []
      : [{ name: 'backupsStarted', run: (now: Date) => backupSchedule.tick(now) }]),
    // Secrets sealed before the keyring existed (under the token secret), or under an older
    // key-encryption key, are re-sealed once per worker start; so are recovery-code digests.
    {
      name: 'secretsResealed',
      once: true,
      run: () => resealColumns(db, sealedColumns, keyring().current),
    },
    {
      name: 'recoveryCodesRekeyed',
      once: true,
      run: () => rekeyRecoveryCodes(db, keyring().lookupKey),
    },
  ];

  // Each consumer's handling of an event continues the trace the event was written in.
  const consumers = [
    webhookFanOut,
    notificationsConsumer({ largePaymentMinor: config.largePaymentAlertMinor }),
    deps.merchantProfiles.invalidation,
  ].map((consumer) => tracedConsumer(consumer, deps.adapters.telemetry.tracer));
  assert(
    consumers.map((c) => c.name).join() === eventConsumerNames.join(),
    'eventConsumerNames lists every outbox consumer',
  );

  return {
    sealedColumns,
    consumers,
    backupSchedule,
    startWorker: (interval) =>
      startWorker({
        db,
        ledger,
        clock,
        logger,
        intervalMs: interval ?? config.workerIntervalMs,
        idempotencyKeyTtlHours: config.idempotencyKeyTtlHours,
        rails: deps.processorRails.rails,
        processor: deps.processorRails.processor,
        metrics,
        reconcileIntervalMs: config.reconcileIntervalSeconds * 1000,
        webhooks: deps.webhooks,
        feed:
          config.nats.url === undefined
            ? outboxFeed(db, consumers)
            : jetstreamFeed({
                db,
                logger,
                metrics,
                url: config.nats.url,
                stream: config.nats.stream,
                consumers,
                credentials: config.nats.credentials,
                catchUpAfterSeconds: config.nats.catchUpAfterSeconds,
              }),
        journalAnchor:
          config.journalAnchorFile === null
            ? null
            : {
                file: config.journalAnchorFile,
                intervalMs: config.journalAnchorIntervalSeconds * 1000,
              },
        // A caller's explicit interval (tests, the CLI) applies to every loop.
        webhookIntervalMs: interval ?? config.webhooks.intervalMs,
        housekeeping,
      }),
  };
}
