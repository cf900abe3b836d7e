import { resolve } from 'node:path';

/**
 * The only module that reads `process.env`. `loadConfig` validates every setting once at boot
 * and returns a frozen object; a bad value stops start-up with one line naming the setting.
 */
export interface Config {
  /** Absent: `npm start` boots an embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly embeddedPostgresPort: number;
  /** The operator's bearer key. Absent: one is generated, stored in `dataDir` and printed. */
  readonly operatorKey: string | undefined;
  /** HMAC secret for access tokens. Absent: generated and stored in `dataDir`. */
  readonly tokenSecret: string | undefined;
  /** Earlier token secrets, still accepted for verification while their tokens live (rotation). */
  readonly previousTokenSecrets: readonly string[];
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly dbPoolSizeMax: number;
  readonly ledgerBatchSizeMax: number;
  readonly ledgerBatchLingerMs: number;
  readonly ledgerBatchesInFlightMax: number;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly holdTtlSeconds: number;
  readonly idempotencyKeyTtlHours: number;
  readonly bodyLimitBytes: number;
  readonly workerIntervalMs: number;
  readonly seedDemo: boolean;
  /** Build and serve the mobile web app at /app/ (api and npm start). */
  readonly webApp: boolean;
  /** PEM files: with both set the API serves HTTPS (and HSTS). */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Plain HTTP on a non-loopback address is refused unless this is set. */
  readonly allowInsecureHttp: boolean;
  /** The vault's key file (KEKs and the fingerprint key), outside the database. */
  readonly vaultKeyFile: string;
  /** The key file's content given directly (takes precedence over the file). */
  readonly vaultKeysJson: string | undefined;
  /** Payments above this many minor units need a 2FA step-up (`requires_action`). */
  readonly stepUpAmountMinor: bigint;
  /** Shared rate-limit counters; absent: each process counts on its own. */
  readonly redisUrl: string | undefined;
  /** Per client address, per minute, on log-in, sign-up and 2FA routes (0: off). */
  readonly rateLimitAuthPerMinute: number;
  /** Per user, per minute, on money-moving routes (0: off). */
  readonly rateLimitUserPerMinute: number;
  /** Per merchant key, per minute, on money-moving routes (0: off). */
  readonly rateLimitMerchantPerMinute: number;
  readonly processor: ProcessorSettings;
  /** Where the worker appends the journal chain's head, outside the database (null: off). */
  readonly journalAnchorFile: string | null;
  readonly journalAnchorIntervalSeconds: number;
  /**
   * With a URL, the worker publishes outbox events to a JetStream stream and its consumers read
   * them from there; without one they read the outbox directly.
   */
  readonly nats: {
    readonly url: string | undefined;
    /** The stream's name; its subjects are `<stream>.<event type>`. */
    readonly stream: string;
  };
  /** Payments of at least this many minor units raise a `large_payment` alert to the payer. */
  readonly largePaymentAlertMinor: number;
  readonly webhooks: {
    readonly timeoutMs: number;
    /** Multiplies the retry schedule (about 4 days at 1; tests compress it). */
    readonly retryScale: number;
    /** An endpoint failing this long without a success is disabled. */
    readonly disableAfterHours: number;
    readonly concurrency: number;
    /** How often the worker relays the outbox and sends due deliveries. */
    readonly intervalMs: number;
    /** Loopback receivers (`http://localhost`) for local development; set false in production. */
    readonly allowLoopback: boolean;
  };
  /** How often the worker reconciles with the processor's settlement report (0: never). */
  readonly reconcileIntervalSeconds: number;
  /**
   * Fault injection for crash tests (`KASSA_FAULT_CRASH_AT`): the process kills itself with
   * SIGKILL when a flow reaches one of these recovery points. Empty in normal operation.
   */
  readonly crashPoints: readonly string[];
}

export interface ProcessorSettings {
  /** The processor's base URL. Absent: top-ups and payouts answer `processor_unavailable`. */
  readonly url: string | undefined;
  /** The API key sent to the processor and the key its callbacks are signed with. */
  readonly secret: string | undefined;
  /** Where `npm start` runs the processor stand-in. */
  readonly simPort: number;
  /** Per call; a call that takes longer is abandoned and its outcome is unknown. */
  readonly timeoutMs: number;
  /** Extra attempts of a call that failed in transit (every call carries its idempotency key). */
  readonly retries: number;
  /** The breaker opens when this share of the last 20 calls (at least 10) failed… */
  readonly breakerFailureRate: number;
  /** …and stays open this long before one probe call may close it. */
  readonly breakerCooldownMs: number;
  /** Unfinished flows untouched this long are resolved by the worker. */
  readonly resolveAfterSeconds: number;
  /** How long a cardholder has to confirm a 3-D Secure challenge. */
  readonly authenticationTimeoutSeconds: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?[0-9]+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number.parseInt(raw, 10);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function optionalString(env: Env, name: string, minLength = 1): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < minLength) {
    throw new ConfigError(`${name} must be at least ${minLength} characters long`);
  }
  return raw;
}

function databaseUrl(env: Env): string | undefined {
  const raw = optionalString(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL must be a URL like postgres://user@host:5432/db');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must use postgres://, got ${url.protocol}//`);
  }
  return raw;
}

function natsUrl(env: Env): string | undefined {
  const raw = optionalString(env, 'NATS_URL');
  if (raw === undefined) return undefined;
  if (!/^(nats|tls):\/\/[^\s/]+$/.test(raw)) {
    throw new ConfigError(`NATS_URL must look like nats://host:4222, got "${raw}"`);
  }
  return raw;
}

function natsStream(env: Env): string {
  const raw = optionalString(env, 'NATS_STREAM') ?? 'KASSA_EVENTS';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw new ConfigError(`NATS_STREAM must be 1-64 letters, digits, _ or -, got "${raw}"`);
  }
  return raw;
}

function processorUrl(env: Env): string | undefined {
  const raw = optionalString(env, 'PROCESSOR_URL');
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(url.protocol);
  } catch {
    throw new ConfigError('PROCESSOR_URL must be an http(s) URL like http://127.0.0.1:4010');
  }
  return raw.replace(/\/+$/, '');
}

function rate(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[0-9.]+$/.test(raw) || !(value > 0 && value <= 1))
    throw new ConfigError(`${name} must be a number in (0, 1], got "${raw}"`);
  return value;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function tlsSettings(env: Env): Config['tls'] {
  const certFile = optionalString(env, 'TLS_CERT_FILE');
  const keyFile = optionalString(env, 'TLS_KEY_FILE');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  return certFile === undefined || keyFile === undefined
    ? undefined
    : { certFile: resolve(certFile), keyFile: resolve(keyFile) };
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }
  const host = env['HOST'] ?? '127.0.0.1';
  const tls = tlsSettings(env);
  const allowInsecureHttp = env['ALLOW_INSECURE_HTTP'] === 'true';
  if (tls === undefined && !isLoopback(host) && !allowInsecureHttp) {
    throw new ConfigError(
      `refusing plain HTTP on ${host}: set TLS_CERT_FILE and TLS_KEY_FILE, or ALLOW_INSECURE_HTTP=true behind a TLS-terminating proxy`,
    );
  }
  return Object.freeze({
    databaseUrl: databaseUrl(env),
    host,
    tls,
    allowInsecureHttp,
    redisUrl: optionalString(env, 'REDIS_URL'),
    stepUpAmountMinor: BigInt(
      integer(env, 'STEP_UP_AMOUNT_MINOR', 100_000, 1, Number.MAX_SAFE_INTEGER),
    ),
    vaultKeyFile: resolve(
      env['KASSA_VAULT_KEY_FILE'] ?? `${env['KASSA_DATA_DIR'] ?? '.kassa'}/vault-keys.json`,
    ),
    vaultKeysJson: optionalString(env, 'KASSA_VAULT_KEYS'),
    rateLimitAuthPerMinute: integer(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 30, 0, 1_000_000),
    rateLimitUserPerMinute: integer(env, 'RATE_LIMIT_USER_PER_MINUTE', 300, 0, 1_000_000),
    rateLimitMerchantPerMinute: integer(env, 'RATE_LIMIT_MERCHANT_PER_MINUTE', 6_000, 0, 1_000_000),
    port: integer(env, 'PORT', 3000, 0, 65_535),
    dataDir: resolve(env['KASSA_DATA_DIR'] ?? '.kassa'),
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 5488, 1024, 65_535),
    operatorKey: optionalString(env, 'KASSA_OPERATOR_KEY', 24),
    tokenSecret: optionalString(env, 'KASSA_TOKEN_SECRET', 32),
    previousTokenSecrets: (env['KASSA_TOKEN_SECRETS_PREVIOUS'] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
    logLevel: logLevel as Config['logLevel'],
    dbPoolSizeMax: integer(env, 'DB_POOL_SIZE_MAX', 16, 2, 500),
    ledgerBatchSizeMax: integer(env, 'LEDGER_BATCH_SIZE_MAX', 256, 1, 8000),
    ledgerBatchLingerMs: integer(env, 'LEDGER_BATCH_LINGER_MS', 1, 0, 100),
    ledgerBatchesInFlightMax: integer(env, 'LEDGER_BATCHES_IN_FLIGHT_MAX', 4, 1, 64),
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 60, 31_536_000),
    holdTtlSeconds: integer(env, 'HOLD_TTL_SECONDS', 604_800, 1, 2_592_000),
    idempotencyKeyTtlHours: integer(env, 'IDEMPOTENCY_KEY_TTL_HOURS', 192, 168, 8_760),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1_024, 16_777_216),
    workerIntervalMs: integer(env, 'WORKER_INTERVAL_MS', 5_000, 10, 3_600_000),
    seedDemo: (env['KASSA_SEED_DEMO'] ?? 'true') !== 'false',
    webApp: (env['KASSA_WEB_APP'] ?? 'true') !== 'false',
    processor: Object.freeze({
      url: processorUrl(env),
      secret: optionalString(env, 'PROCESSOR_SECRET', 16),
      simPort: integer(env, 'PROCESSOR_PORT', 4010, 0, 65_535),
      timeoutMs: integer(env, 'PROCESSOR_TIMEOUT_MS', 3_000, 20, 60_000),
      retries: integer(env, 'PROCESSOR_RETRIES', 2, 0, 5),
      breakerFailureRate: rate(env, 'PROCESSOR_BREAKER_FAILURE_RATE', 0.5),
      breakerCooldownMs: integer(env, 'PROCESSOR_BREAKER_COOLDOWN_MS', 10_000, 10, 600_000),
      resolveAfterSeconds: integer(env, 'PROCESSOR_RESOLVE_AFTER_SECONDS', 30, 0, 86_400),
      authenticationTimeoutSeconds: integer(
        env,
        'PROCESSOR_AUTHENTICATION_TIMEOUT_SECONDS',
        900,
        0,
        86_400,
      ),
    }),
    nats: Object.freeze({ url: natsUrl(env), stream: natsStream(env) }),
    journalAnchorFile:
      env['KASSA_JOURNAL_ANCHOR_FILE'] === 'off'
        ? null
        : resolve(
            env['KASSA_JOURNAL_ANCHOR_FILE'] ??
              `${env['KASSA_DATA_DIR'] ?? '.kassa'}/journal-anchors.jsonl`,
          ),
    journalAnchorIntervalSeconds: integer(env, 'JOURNAL_ANCHOR_INTERVAL_SECONDS', 60, 1, 86_400),
    reconcileIntervalSeconds: integer(env, 'RECONCILE_INTERVAL_SECONDS', 3_600, 0, 604_800),
    largePaymentAlertMinor: integer(
      env,
      'LARGE_PAYMENT_ALERT_MINOR',
      50_000,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    webhooks: Object.freeze({
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 50, 60_000),
      retryScale: rate(env, 'WEBHOOK_RETRY_SCALE', 1),
      disableAfterHours: integer(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 120, 1, 8_760),
      concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, 1, 256),
      intervalMs: integer(env, 'WEBHOOK_INTERVAL_MS', 500, 10, 60_000),
      allowLoopback: (env['WEBHOOK_ALLOW_LOOPBACK'] ?? 'true') !== 'false',
    }),
    crashPoints: (env['KASSA_FAULT_CRASH_AT'] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  });
}
