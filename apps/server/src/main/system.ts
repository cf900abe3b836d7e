import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { BackupTarget } from '../modules/backup/index.ts';
import {
  createAuthenticator,
  createMerchantProfiles,
  createRequestDeviceCheck,
  createStepUpVerifier,
} from '../modules/identity/index.ts';
import type { Ledger } from '../modules/ledger/index.ts';
import { createNotificationHub } from '../modules/notifications/index.ts';
import {
  createRecipients,
  createStepUpPolicy,
  type SystemAccounts,
} from '../modules/payments/index.ts';
import type { ProcessorClient, Rails } from '../modules/rails/index.ts';
import type { CardVault } from '../modules/vault/index.ts';
import {
  createEndpointStore,
  createWebhookDelivery,
  type WebhookDelivery,
} from '../modules/webhooks/index.ts';
import type { CircuitBreaker } from '../platform/circuit-breaker.ts';
import type { Db } from '../platform/db.ts';
import type { Keyring } from '../platform/keyring.ts';
import type { Logger } from '../platform/log.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { SealedColumn } from '../platform/reseal.ts';
import type { Telemetry } from '../platform/telemetry.ts';
import { createAdapters } from './adapters.ts';
import {
  createModelRegistry,
  createRiskEngine,
  createRuleSetRegistry,
} from '../modules/risk/index.ts';
import { apiRoutes } from './api-routes.ts';
import { createBackgroundJobs } from './background-jobs.ts';
import { createProcessorRails } from './processor-rails.ts';
import type { Secrets } from './secrets.ts';
import type { Worker } from './worker.ts';

export { eventConsumerNames } from './background-jobs.ts';

export interface System {
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly ledger: Ledger;
  readonly metrics: Metrics;
  /** Where spans and log lines go; `tracerFor` traces a service hosted beside it (the stand-in). */
  readonly telemetry: Telemetry;
  readonly systemAccounts: SystemAccounts;
  readonly clock: Clock;
  /** The card vault (its internal reveal is for the processor connector only). */
  readonly vault: CardVault;
  /** Top-ups and payouts through the processor. */
  readonly rails: Rails;
  /** The processor connector (null when PROCESSOR_URL is unset) and its circuit breaker. */
  readonly processor: ProcessorClient | null;
  readonly breaker: CircuitBreaker;
  /** Sends queued webhook deliveries (the worker drives it). */
  readonly webhooks: WebhookDelivery;
  /** The data keys (the key file, or KASSA_VAULT_KEYS). */
  readonly keyring: () => Keyring;
  /** Every column of sealed secrets: `kassa keys rotate` re-seals them under the current key. */
  readonly sealedColumns: readonly SealedColumn[];
  /** Listens on the configured address; the URL says https when the API serves TLS itself. */
  listen(): Promise<string>;
  /** Starts the background jobs in this process (`intervalMs` defaults to the configured ones). */
  startWorker(intervalMs?: number): Worker;
  /** Stops accepting, drains in-flight work, closes the pool. */
  close(): Promise<void>;
}

/**
 * The composition root: the only place that builds concrete adapters and wires modules together
 * by hand (no container). Used by `npm start`, the API process, the worker and the tests.
 */
export async function createSystem(options: {
  config: Config;
  databaseUrl: string;
  secrets: Secrets;
  logger: Logger;
  clock?: Clock;
  role?: string;
  /** A built web app (apps/web) to serve at /app/. */
  webAppDir?: string;
  /** The cluster's backups: the worker takes them on schedule and watches the archive. */
  backup?: BackupTarget | null;
}): Promise<System> {
  const { config, logger, secrets } = options;
  const clock = options.clock ?? systemClock;
  const adapters = createAdapters({
    config,
    databaseUrl: options.databaseUrl,
    secrets,
    logger,
    clock,
    role: options.role,
  });
  const { db, ledger, metrics, keyring, redis, writer } = adapters;
  let accepting = true;
  const processorRails = createProcessorRails({ config, secrets, logger, clock, adapters });

  const endpoints = createEndpointStore(adapters.webhookBox);
  const webhooks = createWebhookDelivery({
    db,
    clock,
    endpoints,
    metrics,
    logger,
    timeoutMs: config.webhooks.timeoutMs,
    retryScale: config.webhooks.retryScale,
    disableAfterMs: config.webhooks.disableAfterHours * 3_600_000 * config.webhooks.retryScale,
    concurrency: config.webhooks.concurrency,
    allowLoopback: config.webhooks.allowLoopback,
    tracer: adapters.telemetry.tracer,
  });

  const stepUpVerifier = createStepUpVerifier({ db, clock, factors: adapters.factors });
  const stepUp = createStepUpPolicy({
    db,
    clock,
    settings: config.stepUp,
    verifier: stepUpVerifier,
    checkDevice: createRequestDeviceCheck({ db, clock, replayKey: keyring().lookupKey }),
  });
  const recipients = createRecipients({
    db,
    clock,
    lookupKey: keyring().lookupKey,
    probesPerHour: config.recipientProbesPerHour,
  });

  const risk = createRiskEngine({
    db: db.pool,
    clock,
    settings: config.risk,
    models: createModelRegistry({
      db: db.pool,
      clock,
      onError: (error) => logger.warn({ err: error }, 'reading the promoted risk model failed'),
    }),
    rules: createRuleSetRegistry({
      db: db.pool,
      clock,
      onError: (error) => logger.warn({ err: error }, 'reading the risk rule sets failed'),
    }),
    metrics,
    onError: (error, input) =>
      logger.warn(
        { err: error, kind: input.kind },
        'risk scoring failed; its failure policy applied',
      ),
  });

  const merchantProfiles = createMerchantProfiles(db, adapters.cache);
  const jobs = createBackgroundJobs({
    config,
    clock,
    logger,
    adapters,
    processorRails,
    webhooks,
    recipients,
    merchantProfiles,
    backup: options.backup,
  });
  const notifications = createNotificationHub({ connectionString: options.databaseUrl, logger });

  const app = await buildApp({
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    inFlightMax: config.httpInFlightMax,
    rateLimiter: adapters.rateLimiter,
    rateLimits: {
      authPerMinute: config.rateLimitAuthPerMinute,
      userPerMinute: config.rateLimitUserPerMinute,
      merchantPerMinute: config.rateLimitMerchantPerMinute,
    },
    tls:
      config.tls === undefined
        ? undefined
        : { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
    fingerprintKey: keyring().lookupKey,
    trustProxy: config.trustProxy,
    tracer: adapters.telemetry.tracer,
    authenticate: createAuthenticator({
      db: db.pool,
      clock,
      keys: adapters.sessions.keys,
      operatorKey: secrets.operatorKey,
      isFamilyRevoked: (familyId) => adapters.revokedSessions.isRevoked(familyId),
    }),
    routes: apiRoutes({
      config,
      clock,
      logger,
      secrets,
      adapters,
      processorRails,
      endpoints,
      stepUp,
      stepUpVerifier,
      recipients,
      risk,
      merchantProfiles,
      notifications,
      consumers: jobs.consumers,
      accepting: () => accepting,
      webAppDir: options.webAppDir,
    }),
  });

  return {
    app,
    db,
    ledger,
    metrics,
    telemetry: adapters.telemetry,
    systemAccounts: adapters.systemAccounts,
    clock,
    vault: adapters.vault,
    rails: processorRails.rails,
    processor: processorRails.processor,
    breaker: processorRails.breaker,
    webhooks,
    keyring,
    sealedColumns: jobs.sealedColumns,
    async listen() {
      const address = await app.listen({ host: config.host, port: config.port });
      // Fastify builds the URL from its own options; the HTTPS server here comes from a factory.
      return config.tls === undefined ? address : address.replace(/^http:/, 'https:');
    },
    startWorker: (interval) => jobs.startWorker(interval),
    async close() {
      accepting = false;
      await app.close();
      await jobs.backupSchedule?.settle();
      await notifications.close();
      await writer.close();
      await db.close();
      redis?.close();
      // Last: what the shutdown itself traced and logged is written too.
      adapters.stopShippingLogs();
      await adapters.telemetry.close();
    },
  };
}
