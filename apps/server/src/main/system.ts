import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createLocalRateLimiter, createRedisRateLimiter } from '../platform/rate-limiter.ts';
import { createReadCache } from '../platform/redis-cache.ts';
import { webAppRoutes } from '../http/web-app.ts';
import type { Config } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { createDb, type Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { createMetrics, type Metrics } from '../platform/metrics.ts';
import {
  accessTokenKeysFromSecret,
  createAuthenticator,
  createRevokedSessions,
  createSecretBox,
  createStepUpVerifier,
  deviceRoutes,
  verifyDeviceSignature,
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
import {
  createCardVault,
  vaultKeySource,
  vaultRoutes,
  type CardVault,
} from '../modules/vault/index.ts';
import {
  createSystemAccounts,
  paymentRoutes,
  walletView,
  type SystemAccounts,
} from '../modules/payments/index.ts';
import {
  createProcessorClient,
  createRails,
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
  webhookFanOut,
  webhookRoutes,
  type WebhookDelivery,
} from '../modules/webhooks/index.ts';
import type { Secrets } from './secrets.ts';
import { startWorker, type Worker } from './worker.ts';

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
  const redis =
    config.redisUrl === undefined
      ? undefined
      : new Redis(config.redisUrl, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: false,
        });
  redis?.on('error', (error) =>
    logger.warn({ err: error }, 'redis unavailable: rate limits fail open, reads skip the cache'),
  );
  const cache = createReadCache(redis, 'kassa:cache');
  const dropCachedWallets = (ids: readonly string[]) =>
    void cache.delete(ids.map((id) => `wallet:${id}`));
  const writer = createLedgerWriter({
    db,
    clock,
    batchSizeMax: config.ledgerBatchSizeMax,
    lingerMs: config.ledgerBatchLingerMs,
    batchesInFlightMax: config.ledgerBatchesInFlightMax,
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
  const totpBox = createSecretBox(options.secrets.tokenSecret, 'totp-secrets');
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
    keys: vaultKeySource({ file: config.vaultKeyFile, json: config.vaultKeysJson }),
  });
  const rateLimiter =
    redis === undefined
      ? createLocalRateLimiter()
      : createRedisRateLimiter(redis, 'kassa:rl', (error) =>
          logger.warn({ err: error }, 'rate limit check skipped'),
        );

  const breakerStates = { closed: 0, half_open: 1, open: 2 } as const;
  const breaker = createCircuitBreaker({
    clock,
    failureRate: config.processor.breakerFailureRate,
    cooldownMs: config.processor.breakerCooldownMs,
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
          secret: options.secrets.processorSecret,
          timeoutMs: config.processor.timeoutMs,
          retries: config.processor.retries,
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
    bankBox: createSecretBox(options.secrets.tokenSecret, 'bank-accounts'),
    metrics,
    logger,
    // Longer than every attempt of one call together, so a lease never lapses mid-call.
    leaseMs: (config.processor.retries + 1) * (config.processor.timeoutMs + 1_000) + 2_000,
    resolveAfterSeconds: config.processor.resolveAfterSeconds,
    authenticationTimeoutMs: config.processor.authenticationTimeoutSeconds * 1000,
    crashPoints: config.crashPoints,
    onAccountsChanged: dropCachedWallets,
  });

  const endpoints = createEndpointStore(
    createSecretBox(options.secrets.tokenSecret, 'webhook-secrets'),
  );
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

  const merchantProfiles = createMerchantProfiles(db, cache);
  const consumers = [
    webhookFanOut,
    notificationsConsumer({ largePaymentMinor: config.largePaymentAlertMinor }),
    merchantProfiles.invalidation,
  ];
  const notifications = createNotificationHub({ connectionString: options.databaseUrl, logger });

  const app = await buildApp({
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
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
        totpBox,
        onFamilyRevoked: (familyId) => revokedSessions.markRevoked(familyId),
      }),
      twoFactorRoutes({ db, clock, totpBox }),
      deviceRoutes({ db, clock, totpBox }),
      paymentRoutes({
        stepUp: {
          amountMinor: config.stepUpAmountMinor,
          verifier: createStepUpVerifier({ db, clock, totpBox }),
          async checkDevice(userId, request) {
            const device = request.headers['kassa-device'];
            const signature = request.headers['kassa-signature'];
            if (device === undefined && signature === undefined) return 'unsigned';
            const header = (value: string | string[] | undefined) =>
              typeof value === 'string' ? value : '';
            const result = await verifyDeviceSignature(db, clock, {
              userId,
              deviceWireId: header(device),
              signatureHeader: header(signature),
              method: request.method,
              path: request.url,
              body: request.rawBody ?? '',
              idempotencyKey: header(request.headers['idempotency-key']),
            });
            return result.trusted ? 'trusted' : 'untrusted';
          },
        },
        db,
        clock,
        ledger,
        systemAccounts,
        metrics,
        cache,
        holdTtlSeconds: config.holdTtlSeconds,
      }),
      ledgerRoutes({ db, ledger }),
      vaultRoutes({ db, clock, vault }),
      railsRoutes({ rails, clock, logger, processorSecret: options.secrets.processorSecret }),
      eventRoutes({ db }),
      receiptRoutes({ db }),
      notificationRoutes({ db, clock, hub: notifications }),
      webhookRoutes({ db, clock, endpoints, allowLoopback: config.webhooks.allowLoopback }),
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
                url: config.nats.url,
                stream: config.nats.stream,
                consumers,
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
      }),
    async close() {
      accepting = false;
      await app.close();
      await notifications.close();
      await writer.close();
      await db.close();
      redis?.disconnect();
    },
  };
}
