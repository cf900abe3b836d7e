import type { FastifyInstance } from 'fastify';
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRateLimiter } from '../platform/rate-limiter.ts';
import { createReadCache } from '../platform/redis-cache.ts';
import { createRedisGate } from '../platform/redis-gate.ts';
import { webAppRoutes } from '../http/web-app.ts';
import type { Config } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { assert } from '../kernel/assert.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { createDb, type Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { createMetrics, type Metrics } from '../platform/metrics.ts';
import {
  accessTokenKeysFromSecret,
  apiKeyRoutes,
  createAuthenticator,
  createRevokedSessions,
  createStepUpVerifier,
  createRequestDeviceCheck,
  createPrincipalLiveness,
  reapSeenSignatures,
  reapKnownAddresses,
  rekeyRecoveryCodes,
  totpSealedColumns,
  deviceRoutes,
  createMerchantProfiles,
  identityRoutes,
  sessionRoutes,
  twoFactorRoutes,
} from '../modules/identity/index.ts';
import {
  createLedger,
  createLedgerWriter,
  ledgerRoutes,
  type Ledger,
} from '../modules/ledger/index.ts';
import { opsRoutes } from '../modules/ops/index.ts';
import { createCardVault, vaultRoutes, type CardVault } from '../modules/vault/index.ts';
import { keyringSource, type Keyring } from '../platform/keyring.ts';
import { createSecretBox } from '../platform/secret-box.ts';
import { resealColumns, type SealedColumn } from '../platform/reseal.ts';
import {
  createRecipients,
  createStepUpPolicy,
  createSystemAccounts,
  expireStepUps,
  paymentRoutes,
  recipientRoutes,
  reapSpendWindows,
  reapStepUpDecisions,
  walletView,
  type SystemAccounts,
} from '../modules/payments/index.ts';
import {
  createProcessorClient,
  createRails,
  flowSealedColumns,
  railsRoutes,
  type ProcessorClient,
  type Rails,
} from '../modules/rails/index.ts';
import { createCircuitBreaker, type CircuitBreaker } from '../platform/circuit-breaker.ts';
import { eventRoutes, jetstreamFeed, outboxFeed, publisherName } from '../modules/events/index.ts';
import { receiptRoutes } from '../modules/receipts/index.ts';
import {
  createNotificationHub,
  notificationRoutes,
  notificationsConsumer,
} from '../modules/notifications/index.ts';
import {
  createEndpointStore,
  createWebhookDelivery,
  endpointSealedColumns,
  webhookFanOut,
  webhookRoutes,
  type WebhookDelivery,
} from '../modules/webhooks/index.ts';
import type { Secrets } from './secrets.ts';
import {
  createBackupSchedule,
  registerBackupMetrics,
  type BackupTarget,
} from '../modules/backup/index.ts';
import { startWorker, type HousekeepingTask, type Worker } from './worker.ts';

/**
 * The outbox consumers, by name: their durable JetStream consumers are `kassa_<name>`, and the
 * NATS server's configuration (`kassa nats-config`) grants the consumer identity these only.
 */
export const eventConsumerNames = ['webhooks', 'notifications', 'cache'] as const;

export interface System {
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly ledger: Ledger;
  readonly metrics: Metrics;
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
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const db = createDb({
    connectionString: options.databaseUrl,
    poolSizeMax: config.dbPoolSizeMax,
    applicationName: `kassa-${options.role ?? 'api'}`,
    onError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  // Redis behind a gate: short command timeouts, and a pause after any failure, so a down or
  // hung Redis costs requests nothing (limits count per process, reads go to PostgreSQL).
  const redis =
    config.redis.url === undefined
      ? undefined
      : createRedisGate({
          url: config.redis.url,
          prefix: config.redis.keyPrefix,
          commandTimeoutMs: config.redis.commandTimeoutMs,
          cooldownMs: 5_000,
          onFailure: (error) =>
            logger.warn(
              { err: error },
              'redis unavailable: rate limits count per process, reads skip the cache',
            ),
        });
  const dropCachedWallets = (ids: readonly string[]) =>
    void cache.delete(ids.map((id) => `wallet:${id}`));
  const writer = createLedgerWriter({
    db,
    clock,
    batchSizeMax: config.ledgerBatchSizeMax,
    lingerMs: config.ledgerBatchLingerMs,
    batchesInFlightMax: config.ledgerBatchesInFlightMax,
    queueMax: config.ledgerQueueMax,
    onQueueLength: (length) => metrics.ledgerQueue.set(length),
    onShed: () => metrics.requestsShed.inc(),
    // A committed batch changed these balances: drop their cached display views.
    onAccountsChanged: dropCachedWallets,
    onBatch: (size, durationMs, outcome) => {
      metrics.ledgerBatchSize.observe({ outcome }, size);
      metrics.ledgerBatchDuration.observe(durationMs / 1000);
    },
  });
  const ledger = createLedger({ db, clock, writer });
  const systemAccounts = createSystemAccounts(db, ledger);
  const keys = accessTokenKeysFromSecret(options.secrets.tokenSecret, config.previousTokenSecrets);
  // Data keys live outside the database (the key file or KASSA_VAULT_KEYS). Small secrets are
  // sealed under its versioned keys; values sealed under the token secret before keep opening
  // with it (or an earlier one still listed) until the worker re-seals them.
  const keyring = keyringSource({ file: config.vaultKeyFile, json: config.vaultKeysJson });
  const legacySecrets = [options.secrets.tokenSecret, ...config.previousTokenSecrets];
  const secretBox = (label: string) => createSecretBox(keyring, label, legacySecrets);
  const factors = { box: secretBox('totp-secrets'), lookupKey: keyring().lookupKey };
  const cache = createReadCache(
    redis,
    Buffer.from(hkdfSync('sha256', keyring().lookupKey, Buffer.alloc(0), 'kassa:read-cache', 32)),
  );
  const bankBox = secretBox('bank-accounts');
  const webhookBox = secretBox('webhook-secrets');
  const revokedSessions = createRevokedSessions(db.pool, clock, {
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  const sessions = {
    keys,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
  };
  let accepting = true;
  const vault = createCardVault({
    db,
    clock,
    keys: keyring,
  });
  const rateLimiter = createRateLimiter(redis);

  const breakerStates = { closed: 0, half_open: 1, open: 2 } as const;
  const breaker = createCircuitBreaker({
    clock,
    failureRate: config.processor.breakerFailureRate,
    cooldownMs: config.processor.breakerCooldownMs,
    // Nothing through in 20 tries: an outage (a lossy link at 55% failed tries does this about
    // once in 150,000 tries).
    failedAttemptsToOpen: 20,
    onStateChange: (state) => {
      metrics.processorCircuitState.set(breakerStates[state]);
      logger.warn({ state }, 'processor circuit breaker changed state');
    },
  });
  const processor =
    config.processor.url === undefined
      ? null
      : createProcessorClient({
          baseUrl: config.processor.url,
          apiKey: options.secrets.processorApiKey,
          timeoutMs: config.processor.timeoutMs,
          retries: config.processor.retries,
          hedgeAfterMs: config.processor.hedgeAfterMs,
          breaker,
          metrics,
        });
  const rails = createRails({
    db,
    ledger,
    clock,
    vault,
    systemAccounts,
    processor,
    breaker,
    bankBox,
    metrics,
    logger,
    // Longer than every attempt of one call together, so a lease never lapses mid-call.
    leaseMs: (config.processor.retries + 1) * (config.processor.timeoutMs + 1_000) + 2_000,
    resolveAfterSeconds: config.processor.resolveAfterSeconds,
    authenticationTimeoutMs: config.processor.authenticationTimeoutSeconds * 1000,
    crashPoints: config.crashPoints,
    onAccountsChanged: dropCachedWallets,
  });

  const endpoints = createEndpointStore(webhookBox);
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
  });

  const stepUpVerifier = createStepUpVerifier({ db, clock, factors });
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

  const sealedColumns = [
    ...totpSealedColumns(factors.box),
    ...endpointSealedColumns(webhookBox),
    ...flowSealedColumns(bankBox),
  ];
  registerBackupMetrics(metrics.registry, db.pool, clock);
  const backupSchedule =
    options.backup === undefined || options.backup === null
      ? null
      : createBackupSchedule({
          db,
          target: options.backup,
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
    { name: 'recipientProbesReaped', run: (now) => recipients.reap(now) },
    { name: 'deviceSignaturesReaped', run: (now) => reapSeenSignatures(db.pool, now) },
    { name: 'knownAddressesReaped', run: (now) => reapKnownAddresses(db.pool, now) },
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

  const merchantProfiles = createMerchantProfiles(db, cache);
  const consumers = [
    webhookFanOut,
    notificationsConsumer({ largePaymentMinor: config.largePaymentAlertMinor }),
    merchantProfiles.invalidation,
  ];
  assert(
    consumers.map((c) => c.name).join() === eventConsumerNames.join(),
    'eventConsumerNames lists every outbox consumer',
  );
  const notifications = createNotificationHub({ connectionString: options.databaseUrl, logger });

  const app = await buildApp({
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    inFlightMax: config.httpInFlightMax,
    rateLimiter,
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
    authenticate: createAuthenticator({
      db: db.pool,
      clock,
      keys,
      operatorKey: options.secrets.operatorKey,
      isFamilyRevoked: (familyId) => revokedSessions.isRevoked(familyId),
    }),
    routes: [
      opsRoutes({
        db,
        metrics,
        readinessTimeoutMs: 1_000,
        outboxReaders: [
          ...consumers.map((c) => c.name),
          ...(config.nats.url === undefined ? [] : [publisherName]),
        ],
        accepting: () => accepting,
        processorCircuit: () => (processor === null ? 'not_configured' : breaker.state()),
        redisHealthy: () => (redis === undefined ? null : redis.healthy()),
      }),
      identityRoutes({
        db,
        ledger,
        clock,
        sessions,
        merchantProfiles,
        walletViews: async (ids) => {
          const accounts = await ledger.getAccounts(db.pool, ids);
          return ids.flatMap((id) => {
            const account = accounts.get(id);
            return account === undefined ? [] : [walletView(account)];
          });
        },
      }),
      sessionRoutes({
        db,
        clock,
        sessions,
        factors,
        onFamilyRevoked: (familyId) => revokedSessions.markRevoked(familyId),
      }),
      twoFactorRoutes({
        db,
        clock,
        factors,
        onFamilyRevoked: (familyId) => revokedSessions.markRevoked(familyId),
      }),
      deviceRoutes({ db, clock, factors }),
      apiKeyRoutes({ db, clock }),
      paymentRoutes({
        stepUp,
        verifier: stepUpVerifier,
        recipients,
        db,
        clock,
        ledger,
        systemAccounts,
        metrics,
        cache,
        holdTtlSeconds: config.holdTtlSeconds,
        stepUpExpirySeconds: config.stepUp.expirySeconds,
      }),
      recipientRoutes({ recipients }),
      ledgerRoutes({ db, ledger }),
      vaultRoutes({ db, clock, vault }),
      railsRoutes({
        rails,
        stepUp,
        clock,
        logger,
        callbackSecret: options.secrets.processorCallbackSecret,
      }),
      eventRoutes({ db }),
      receiptRoutes({ db }),
      notificationRoutes({
        db,
        clock,
        hub: notifications,
        stillValid: createPrincipalLiveness({
          db: db.pool,
          clock,
          isFamilyRevoked: (familyId) => revokedSessions.isRevoked(familyId),
        }),
        streamsPerSessionMax: config.notificationStreamsMax,
      }),
      webhookRoutes({
        db,
        clock,
        endpoints,
        allowLoopback: config.webhooks.allowLoopback,
        endpointsMax: config.webhooks.endpointsMax,
      }),
      ...(options.webAppDir === undefined ? [] : [webAppRoutes(options.webAppDir)]),
    ],
  });

  return {
    app,
    db,
    ledger,
    metrics,
    systemAccounts,
    clock,
    vault,
    rails,
    processor,
    breaker,
    webhooks,
    keyring,
    sealedColumns,
    async listen() {
      const address = await app.listen({ host: config.host, port: config.port });
      // Fastify builds the URL from its own options; the HTTPS server here comes from a factory.
      return config.tls === undefined ? address : address.replace(/^http:/, 'https:');
    },
    startWorker: (interval) =>
      startWorker({
        db,
        ledger,
        clock,
        logger,
        intervalMs: interval ?? config.workerIntervalMs,
        idempotencyKeyTtlHours: config.idempotencyKeyTtlHours,
        rails,
        processor,
        metrics,
        reconcileIntervalMs: config.reconcileIntervalSeconds * 1000,
        webhooks,
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
    async close() {
      accepting = false;
      await app.close();
      await backupSchedule?.settle();
      await notifications.close();
      await writer.close();
      await db.close();
      redis?.close();
    },
  };
}
