import { hkdfSync } from 'node:crypto';
import type { Config } from '../config/config.ts';
import type { Clock } from '../kernel/clock.ts';
import {
  accessTokenKeysFromSecret,
  createRevokedSessions,
  type FactorSecrets,
  type RevokedSessions,
  type SessionSettings,
} from '../modules/identity/index.ts';
import {
  createLedger,
  createLedgerWriter,
  type Ledger,
  type LedgerWriter,
} from '../modules/ledger/index.ts';
import { createSystemAccounts, type SystemAccounts } from '../modules/payments/index.ts';
import { createCardVault, type CardVault } from '../modules/vault/index.ts';
import { createDb, type Db } from '../platform/db.ts';
import { keyringSource, type Keyring } from '../platform/keyring.ts';
import { shipLogs, type Logger } from '../platform/log.ts';
import { createMetrics, type Metrics } from '../platform/metrics.ts';
import { createRateLimiter, type RateLimiter } from '../platform/rate-limiter.ts';
import { createReadCache, type ReadCache } from '../platform/redis-cache.ts';
import { createRedisGate, type RedisGate } from '../platform/redis-gate.ts';
import { createSecretBox, type SecretBox } from '../platform/secret-box.ts';
import { createTelemetry, type Telemetry } from '../platform/telemetry.ts';
import type { Secrets } from './secrets.ts';

/** The adapters and stores every part of the system is built on. */
export interface Adapters {
  readonly metrics: Metrics;
  /** Where spans and log lines go, and this process's tracer (closed last on shutdown). */
  readonly telemetry: Telemetry;
  /** Stops shipping the logger's lines to the telemetry's sink. */
  readonly stopShippingLogs: () => void;
  readonly db: Db;
  /** Redis behind its gate (undefined when Redis is not configured). */
  readonly redis: RedisGate | undefined;
  readonly cache: ReadCache;
  readonly rateLimiter: RateLimiter;
  /** Drops the cached display views of wallets whose balances changed. */
  readonly dropCachedWallets: (ids: readonly string[]) => void;
  /** The ledger's batch writer (closed on shutdown) and the ledger over it. */
  readonly writer: LedgerWriter;
  readonly ledger: Ledger;
  readonly systemAccounts: SystemAccounts;
  /** The data keys (the key file, or KASSA_VAULT_KEYS). */
  readonly keyring: () => Keyring;
  /** The box sealing TOTP secrets, with the keyring's lookup key. */
  readonly factors: FactorSecrets;
  /** The boxes sealing bank accounts and webhook secrets. */
  readonly bankBox: SecretBox;
  readonly webhookBox: SecretBox;
  readonly sessions: SessionSettings;
  readonly revokedSessions: RevokedSessions;
  readonly vault: CardVault;
}

/**
 * Builds the adapters: PostgreSQL, Redis and the read cache on it, the ledger and its batch
 * writer, the keyring and its secret boxes, the session keys, and the card vault.
 */
export function createAdapters(options: {
  config: Config;
  databaseUrl: string;
  secrets: Secrets;
  logger: Logger;
  clock: Clock;
  role: string | undefined;
}): Adapters {
  const { config, logger, clock } = options;
  const metrics = createMetrics();
  const telemetry = createTelemetry({
    enabled: config.tracing.enabled,
    serviceName: options.role === 'all' ? 'kassa' : `kassa-${options.role ?? 'api'}`,
    otlpEndpoint: config.tracing.otlpEndpoint,
    databaseUrl: options.databaseUrl,
    onError: telemetryFailure(logger, clock),
  });
  const stopShippingLogs = shipLogs(logger, telemetry.logSink);
  const db = createDb({
    connectionString: options.databaseUrl,
    poolSizeMax: config.dbPoolSizeMax,
    applicationName: `kassa-${options.role ?? 'api'}`,
    onError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    tracer: telemetry.tracer,
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
    tracer: telemetry.tracer,
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
  const vault = createCardVault({
    db,
    clock,
    keys: keyring,
  });
  const rateLimiter = createRateLimiter(redis);
  return {
    metrics,
    telemetry,
    stopShippingLogs,
    db,
    redis,
    cache,
    rateLimiter,
    dropCachedWallets,
    writer,
    ledger,
    systemAccounts,
    keyring,
    factors,
    bankBox,
    webhookBox,
    sessions,
    revokedSessions,
    vault,
  };
}

/**
 * Spans or log lines that could not be written are dropped (tracing never holds up payments);
 * the operator hears of it at most once a minute.
 */
function telemetryFailure(logger: Logger, clock: Clock): (error: unknown) => void {
  let lastWarnedMs = Number.NEGATIVE_INFINITY;
  return (error) => {
    const nowMs = clock.now().getTime();
    if (nowMs - lastWarnedMs < 60_000) return;
    lastWarnedMs = nowMs;
    logger.warn({ err: error }, 'spans or log lines could not be written; dropped');
  };
}
