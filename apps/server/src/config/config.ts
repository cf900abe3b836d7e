import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { currencyExponents, isCurrency, type Currency } from '../kernel/money.ts';

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
  /** Requests one API process works on at once before it sheds load (503 at once). */
  readonly httpInFlightMax: number;
  /** Money commands that may wait for a ledger batch before new ones are refused (503). */
  readonly ledgerQueueMax: number;
  readonly ledgerBatchSizeMax: number;
  readonly ledgerBatchLingerMs: number;
  readonly ledgerBatchesInFlightMax: number;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly holdTtlSeconds: number;
  readonly idempotencyKeyTtlHours: number;
  readonly bodyLimitBytes: number;
  readonly workerIntervalMs: number;
  /** The web origins passkeys belong to (WEBAUTHN_ORIGINS); empty: each request's own origin. */
  readonly webauthnOrigins: readonly string[];
  /** The worker process's own `/metrics` port, on `host` (absent: the worker serves none). */
  readonly workerMetricsPort: number | undefined;
  readonly seedDemo: boolean;
  /** Build and serve the mobile web app at /app/ (api and npm start). */
  readonly webApp: boolean;
  /** PEM files: with both set the API serves HTTPS (and HSTS). */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Plain HTTP on a non-loopback address is refused unless this is set. */
  readonly allowInsecureHttp: boolean;
  /** Proxies (IPs or CIDRs) trusted to name the client in X-Forwarded-For; empty: none. */
  readonly trustProxy: readonly string[];
  /** The vault's key file (KEKs and the fingerprint key), outside the database. */
  readonly vaultKeyFile: string;
  /** The key file's content given directly (takes precedence over the file). */
  readonly vaultKeysJson: string | undefined;
  readonly stepUp: StepUpSettings;
  readonly risk: RiskSettings;
  /** Notification streams one user or merchant may hold open on one API process. */
  readonly notificationStreamsMax: number;
  /** Distinct unknown recipients one payer may try per hour (enumeration brake). */
  readonly recipientProbesPerHour: number;
  /** Shared rate-limit counters and read caches; absent: each process counts on its own. */
  readonly redis: {
    readonly url: string | undefined;
    /** Put first on every key Kassa writes, so Redis can be shared (`REDIS_KEY_PREFIX`). */
    readonly keyPrefix: string;
    /** A command that takes longer counts as failed (a hung Redis must not hang requests). */
    readonly commandTimeoutMs: number;
  };
  /** Per client address, per minute, on log-in, sign-up and 2FA routes (0: off). */
  readonly rateLimitAuthPerMinute: number;
  /** Per user, per minute, on money-moving routes (0: off). */
  readonly rateLimitUserPerMinute: number;
  /** Per merchant key, per minute, on money-moving routes (0: off). */
  readonly rateLimitMerchantPerMinute: number;
  readonly processor: ProcessorSettings;
  readonly backup: BackupSettings;
  readonly cluster: ClusterSettings;
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
    /**
     * The worker's two NATS identities (deploy/nats/nats-server.conf grants each only what its
     * role needs). Absent: an open server (local development); the worker warns once.
     */
    readonly credentials:
      { readonly publisher: NatsCredentials; readonly consumer: NatsCredentials } | undefined;
    /** An event no JetStream message brought to a consumer this long is read from the outbox. */
    readonly catchUpAfterSeconds: number;
  };
  /** Payments of at least this many minor units raise a `large_payment` alert to the payer. */
  readonly largePaymentAlertMinor: number;
  /** Where the worker POSTs business-slice anomalies (raised and cleared); absent: nowhere. */
  readonly opsWebhookUrl: string | undefined;
  /** Where spans and log lines go (docs/observability.md, "Tracing"). */
  readonly tracing: {
    /** `OTEL_SDK_DISABLED=true`: no spans, no shipped log lines, no async context (its cost). */
    readonly enabled: boolean;
    /** An OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`); absent: PostgreSQL. */
    readonly otlpEndpoint: string | undefined;
    /** Days of spans and log lines kept in PostgreSQL before the worker drops them. */
    readonly retentionDays: number;
  };
  readonly webhooks: {
    readonly timeoutMs: number;
    /** Multiplies the retry schedule (about 4 days at 1; tests compress it). */
    readonly retryScale: number;
    /** An endpoint failing this long without a success is disabled. */
    readonly disableAfterHours: number;
    readonly concurrency: number;
    /** How often the worker relays the outbox and sends due deliveries. */
    readonly intervalMs: number;
    /** Loopback receivers (`http://localhost`): on for `npm start`, off by default elsewhere. */
    readonly allowLoopback: boolean;
    /** Webhook endpoints one merchant may have (each event fans out to every one). */
    readonly endpointsMax: number;
  };
  /** How often the worker reconciles with the processor's settlement report (0: never). */
  readonly reconcileIntervalSeconds: number;
  /**
   * Fault injection for crash tests (`KASSA_FAULT_CRASH_AT`): the process kills itself with
   * SIGKILL when a flow reaches one of these recovery points. Empty in normal operation.
   */
  readonly crashPoints: readonly string[];
}

export interface NatsCredentials {
  readonly user: string;
  readonly password: string;
}

/** When payments need a second factor (see modules/payments/domain/step-up-rules.ts). */
export interface StepUpSettings {
  /** Per-currency thresholds in minor units replacing the defaults (`STEP_UP_LIMITS`). */
  readonly limits: ReadonlyMap<
    Currency,
    { readonly perPaymentMinor: bigint; readonly dailyMinor: bigint | null }
  >;
  /** Payments without a second factor allowed per 10 minutes. */
  readonly velocityMax: number;
  /** A second factor younger than this cannot confirm payments stepped up for their amount. */
  readonly newFactorCoolOffHours: number;
  /** How long a payment waits in `requires_action` before it expires. */
  readonly expirySeconds: number;
}

/** The fraud engine's runtime policy (modules/risk, docs/fraud.md). */
export interface RiskSettings {
  /**
   * `enforce`: decisions apply; `shadow`: they are scored and stored, every movement allowed;
   * `off`: nothing is scored (the bench's baseline; `risk` is null on new objects).
   */
  readonly mode: 'enforce' | 'shadow' | 'off';
  /** Scores (0–99) at or above which a movement is blocked, held for review, stepped up. */
  readonly blockAt: number;
  readonly reviewAt: number;
  readonly stepUpAt: number;
  /** A decision that takes longer is abandoned for the action's failure policy. */
  readonly timeoutMs: number;
  /** Kinds that fail closed (ask for a second factor) when scoring fails; the rest fail open. */
  readonly failClosed: ReadonlySet<string>;
  /** How long a payment held for review waits for an operator before it is released. */
  readonly reviewTtlSeconds: number;
}

export interface ProcessorSettings {
  /** The processor's base URL. Absent: top-ups and payouts answer `processor_unavailable`. */
  readonly url: string | undefined;
  /** Kassa's API key at the processor (sent as Bearer). Absent: generated into `dataDir`. */
  readonly apiKey: string | undefined;
  /**
   * The key that signs the processor's callbacks (`Processor-Signature`); never the API key.
   * Absent: generated into `dataDir`.
   */
  readonly callbackSecret: string | undefined;
  /** Where `npm start` runs the processor stand-in. */
  readonly simPort: number;
  /** Per attempt; an attempt that takes longer is abandoned. */
  readonly timeoutMs: number;
  /** Extra attempts of a call that failed in transit (every call carries its idempotency key). */
  readonly retries: number;
  /** An attempt silent this long gets a hedge: a parallel attempt under the same key (0: off). */
  readonly hedgeAfterMs: number;
  /**
   * The breaker opens when this share of the last 20 calls (at least 10) failed, every attempt
   * of each (a lossy link does not open it; an outage does)…
   */
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

/** Continuous archiving and backups with pgBackRest (docs/runbook.md, "Backups and restores"). */
export interface BackupSettings {
  /** `BACKUPS=off` turns WAL archiving and scheduled backups off. */
  readonly enabled: boolean;
  /**
   * pgBackRest's configuration for a `DATABASE_URL` cluster on this host (`kassa backup config`
   * writes one). Absent with `DATABASE_URL`: the worker takes no backups. The embedded cluster
   * of `npm start` gets its own under `<data folder>/backup`.
   */
  readonly configFile: string | undefined;
  readonly stanza: string;
  readonly repo1Path: string;
  /** The second repository (another region or provider); null: `BACKUP_REPO2_PATH=off`. */
  readonly repo2Path: string | null;
  readonly cipherPass: string | undefined;
  readonly cipherPassRepo2: string | undefined;
  readonly fullEveryHours: number;
  readonly incrEveryMinutes: number;
  readonly retentionFull: number;
  /** PostgreSQL's server binaries for restored clusters (`PG_BIN_DIR`). */
  readonly pgBinDir: string | undefined;
  /** WAL not archived for longer than this tells the operator. */
  readonly archiveLagAlertSeconds: number;
}

/** `npm run cluster`: the replicated, load-balanced topology on one machine. */
export interface ClusterSettings {
  /** Where its data, logs and cluster.json live. */
  readonly dir: string;
  /** The first of its ports (the load balancer's); the others follow (README). */
  readonly portBase: number;
  readonly apiMin: number;
  readonly apiMax: number;
  readonly workers: number;
  /**
   * With the standby down: false (default) the primary goes on alone (asynchronous until the
   * standby is back); true refuses to commit until a synchronous standby confirms.
   */
  readonly syncStrict: boolean;
  /** The elastic API tier's triggers, sustained for `scaleAfterSeconds`. */
  readonly scaleUpEventLoopUtilization: number;
  readonly scaleUpP99Ms: number;
  readonly scaleDownEventLoopUtilization: number;
  readonly scaleAfterSeconds: number;
}

function clusterSettings(env: Env): ClusterSettings {
  const apiMin = integer(env, 'CLUSTER_API_MIN', 2, 1, 8);
  const apiMax = integer(env, 'CLUSTER_API_MAX', 4, 1, 8);
  if (apiMax < apiMin)
    throw new ConfigError(
      `CLUSTER_API_MAX (${apiMax}) must be at least CLUSTER_API_MIN (${apiMin})`,
    );
  const strict = env['CLUSTER_SYNC_STRICT'] ?? 'false';
  if (strict !== 'true' && strict !== 'false')
    throw new ConfigError(`CLUSTER_SYNC_STRICT must be true or false, got "${strict}"`);
  return Object.freeze({
    dir: resolve(env['CLUSTER_DIR'] ?? `${env['KASSA_DATA_DIR'] ?? '.kassa'}/cluster`),
    portBase: integer(env, 'CLUSTER_PORT_BASE', 7400, 1024, 65_000),
    apiMin,
    apiMax,
    workers: integer(env, 'CLUSTER_WORKERS', 2, 1, 8),
    syncStrict: strict === 'true',
    scaleUpEventLoopUtilization: integer(env, 'CLUSTER_SCALE_UP_ELU_PERCENT', 70, 1, 100) / 100,
    scaleUpP99Ms: integer(env, 'CLUSTER_SCALE_UP_P99_MS', 250, 1, 60_000),
    scaleDownEventLoopUtilization: integer(env, 'CLUSTER_SCALE_DOWN_ELU_PERCENT', 25, 0, 100) / 100,
    scaleAfterSeconds: integer(env, 'CLUSTER_SCALE_AFTER_SECONDS', 30, 1, 3_600),
  });
}

function backupSettings(env: Env): BackupSettings {
  const dataDir = env['KASSA_DATA_DIR'] ?? '.kassa';
  const stanza = env['BACKUP_STANZA'] ?? 'kassa';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stanza))
    throw new ConfigError(`BACKUP_STANZA must be letters, digits, _ or -, got "${stanza}"`);
  const mode = env['BACKUPS'] ?? 'auto';
  if (mode !== 'auto' && mode !== 'off')
    throw new ConfigError(`BACKUPS must be auto or off, got "${mode}"`);
  const repo2 = env['BACKUP_REPO2_PATH'] ?? `${dataDir}/backup/repo2`;
  const configFile = optionalString(env, 'KASSA_BACKUP_CONFIG');
  return Object.freeze({
    enabled: mode === 'auto',
    configFile: configFile === undefined ? undefined : resolve(configFile),
    stanza,
    repo1Path: resolve(env['BACKUP_REPO1_PATH'] ?? `${dataDir}/backup/repo1`),
    repo2Path: repo2 === 'off' ? null : resolve(repo2),
    cipherPass: optionalString(env, 'KASSA_BACKUP_CIPHER_PASS', 20),
    cipherPassRepo2: optionalString(env, 'KASSA_BACKUP_CIPHER_PASS_REPO2', 20),
    fullEveryHours: integer(env, 'BACKUP_FULL_EVERY_HOURS', 24, 1, 8_760),
    incrEveryMinutes: integer(env, 'BACKUP_INCR_EVERY_MINUTES', 60, 1, 10_080),
    retentionFull: integer(env, 'BACKUP_RETENTION_FULL', 2, 1, 100),
    pgBinDir: optionalString(env, 'PG_BIN_DIR'),
    archiveLagAlertSeconds: integer(env, 'BACKUP_ARCHIVE_LAG_ALERT_SECONDS', 300, 60, 86_400),
  });
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

function natsIdentity(env: Env, role: 'PUBLISHER' | 'CONSUMER'): NatsCredentials | undefined {
  const user = optionalString(env, `NATS_${role}_USER`);
  const password = optionalString(env, `NATS_${role}_PASSWORD`, 16);
  if ((user === undefined) !== (password === undefined)) {
    throw new ConfigError(`NATS_${role}_USER and NATS_${role}_PASSWORD must be set together`);
  }
  if (user !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(user)) {
    throw new ConfigError(
      `NATS_${role}_USER must be 1-64 letters, digits, _ . or -, got "${user}"`,
    );
  }
  return user === undefined || password === undefined ? undefined : { user, password };
}

/** Both identities or neither: a half-configured worker would fail on its first pass anyway. */
function natsCredentials(env: Env): Config['nats']['credentials'] {
  const publisher = natsIdentity(env, 'PUBLISHER');
  const consumer = natsIdentity(env, 'CONSUMER');
  if ((publisher === undefined) !== (consumer === undefined)) {
    throw new ConfigError(
      'set both NATS_PUBLISHER_USER/NATS_PUBLISHER_PASSWORD and NATS_CONSUMER_USER/NATS_CONSUMER_PASSWORD, or neither',
    );
  }
  if (publisher !== undefined && publisher.user === consumer?.user) {
    throw new ConfigError('NATS_PUBLISHER_USER and NATS_CONSUMER_USER must differ');
  }
  return publisher === undefined || consumer === undefined ? undefined : { publisher, consumer };
}

/**
 * The processor's two keys. `PROCESSOR_SECRET` was once both: whoever held the API key could
 * then sign callbacks. It is refused rather than mapped, since the processor must sign with a
 * new key anyway and a guessed mapping would hide a half-done change.
 */
function processorKeys(env: Env): Pick<ProcessorSettings, 'apiKey' | 'callbackSecret'> {
  if (optionalString(env, 'PROCESSOR_SECRET') !== undefined) {
    throw new ConfigError(
      'PROCESSOR_SECRET is no longer read: set PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET (two different values)',
    );
  }
  const apiKey = optionalString(env, 'PROCESSOR_API_KEY', 16);
  const callbackSecret = optionalString(env, 'PROCESSOR_CALLBACK_SECRET', 16);
  if (apiKey !== undefined && apiKey === callbackSecret) {
    throw new ConfigError('PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET must differ');
  }
  return { apiKey, callbackSecret };
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

/** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL (signal paths are appended). */
function otlpEndpoint(env: Env): string | undefined {
  const raw = optionalString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(url.protocol);
  } catch {
    throw new ConfigError(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL like http://127.0.0.1:4318',
    );
  }
  return raw.replace(/\/+$/, '');
}

function opsWebhookUrl(env: Env): string | undefined {
  const raw = optionalString(env, 'OPS_WEBHOOK_URL');
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(url.protocol);
  } catch {
    throw new ConfigError('OPS_WEBHOOK_URL must be an http(s) URL like https://ops.example/hooks');
  }
  return raw;
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

/** A major-unit amount (`1000`, `12.50`) in the currency's minor units; null when malformed. */
function minorUnits(currency: Currency, major: string): bigint | null {
  const exponent = currencyExponents[currency];
  const match = /^([0-9]{1,15})(?:\.([0-9]+))?$/.exec(major.trim());
  if (match === null) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return null;
  const scale = 10n ** BigInt(exponent);
  return (
    BigInt(match[1] ?? '0') * scale +
    (fraction === '' ? 0n : BigInt(fraction.padEnd(exponent, '0')))
  );
}

/** `STEP_UP_LIMITS=USD=1000/3000,JPY=150000`: per payment / per 24 hours, in major units. */
function riskSettings(env: Env): RiskSettings {
  const mode = env['RISK_MODE'] ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'shadow' && mode !== 'off')
    throw new ConfigError(`RISK_MODE must be enforce, shadow or off, not ${mode}`);
  const kinds = ['p2p', 'merchant_payment', 'top_up', 'payout', 'refund'];
  const failClosed = (env['RISK_FAIL_CLOSED'] ?? 'payout').split(',').filter((k) => k !== '');
  const unknown = failClosed.filter((k) => !kinds.includes(k));
  if (unknown.length > 0)
    throw new ConfigError(
      `RISK_FAIL_CLOSED: unknown kinds ${unknown.join(', ')} (${kinds.join(', ')})`,
    );
  const blockAt = integer(env, 'RISK_BLOCK_AT', 75, 1, 100);
  const reviewAt = integer(env, 'RISK_REVIEW_AT', 65, 1, 100);
  const stepUpAt = integer(env, 'RISK_STEP_UP_AT', 50, 1, 100);
  if (!(stepUpAt <= reviewAt && reviewAt <= blockAt))
    throw new ConfigError('RISK_STEP_UP_AT ≤ RISK_REVIEW_AT ≤ RISK_BLOCK_AT is required');
  return Object.freeze({
    mode,
    blockAt,
    reviewAt,
    stepUpAt,
    timeoutMs: integer(env, 'RISK_TIMEOUT_MS', 100, 1, 10_000),
    failClosed: new Set(failClosed),
    reviewTtlSeconds: integer(env, 'RISK_REVIEW_TTL_SECONDS', 72 * 3600, 60, 30 * 86_400),
  });
}

function stepUpLimits(env: Env): StepUpSettings['limits'] {
  if (env['STEP_UP_AMOUNT_MINOR'] !== undefined)
    throw new ConfigError(
      'STEP_UP_AMOUNT_MINOR is replaced by STEP_UP_LIMITS (per currency, e.g. USD=1000/3000,JPY=150000/450000)',
    );
  const limits = new Map<Currency, { perPaymentMinor: bigint; dailyMinor: bigint | null }>();
  for (const entry of (env['STEP_UP_LIMITS'] ?? '').split(',').filter((e) => e.trim() !== '')) {
    const [code = '', amounts = ''] = entry.split('=');
    const currency = code.trim();
    if (!isCurrency(currency))
      throw new ConfigError(`STEP_UP_LIMITS: "${currency}" is not a supported currency`);
    const [single = '', daily] = amounts.split('/');
    const perPaymentMinor = minorUnits(currency, single);
    const dailyMinor = daily === undefined ? null : minorUnits(currency, daily);
    if (
      perPaymentMinor === null ||
      perPaymentMinor <= 0n ||
      (daily !== undefined && dailyMinor === null)
    )
      throw new ConfigError(
        `STEP_UP_LIMITS: "${entry}" must be CURRENCY=<per payment>[/<per 24 hours>] in major units`,
      );
    if (dailyMinor !== null && dailyMinor < perPaymentMinor)
      throw new ConfigError(
        `STEP_UP_LIMITS: ${currency}'s daily limit is below its per-payment limit`,
      );
    limits.set(currency, { perPaymentMinor, dailyMinor });
  }
  return limits;
}

/** `TRUST_PROXY=10.0.0.0/8,127.0.0.1`: addresses or CIDR blocks, nothing else. */
function trustedProxies(env: Env): readonly string[] {
  const entries = (env['TRUST_PROXY'] ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined)
      throw new ConfigError(
        `TRUST_PROXY must list IP addresses or CIDR blocks (10.0.0.0/8,::1), got "${entry}"`,
      );
  }
  return Object.freeze(entries);
}

function redisKeyPrefix(env: Env): string {
  const raw = env['REDIS_KEY_PREFIX'] ?? 'kassa:';
  if (!/^[A-Za-z0-9:_.-]{0,64}$/.test(raw))
    throw new ConfigError(
      `REDIS_KEY_PREFIX must be up to 64 letters, digits or :_.-, got "${raw}"`,
    );
  return raw;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * `quickStart`: the defaults of `npm start` on a developer's machine, where webhooks may go to a
 * receiver on localhost. Everything else (the api and worker processes, the CLI) defaults to
 * production behaviour.
 */
export function loadConfig(
  env: Env = process.env,
  options: { readonly quickStart?: boolean } = {},
): Config {
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
    trustProxy: trustedProxies(env),
    redis: Object.freeze({
      url: optionalString(env, 'REDIS_URL'),
      keyPrefix: redisKeyPrefix(env),
      commandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 10, 10_000),
    }),
    recipientProbesPerHour: integer(env, 'RECIPIENT_PROBES_PER_HOUR', 20, 1, 10_000),
    notificationStreamsMax: integer(env, 'NOTIFICATION_STREAMS_MAX', 5, 1, 100),
    stepUp: Object.freeze({
      limits: stepUpLimits(env),
      velocityMax: integer(env, 'STEP_UP_VELOCITY_MAX', 10, 1, 1_000_000),
      newFactorCoolOffHours: integer(env, 'NEW_FACTOR_COOL_OFF_HOURS', 24, 0, 720),
      expirySeconds: integer(env, 'STEP_UP_EXPIRY_SECONDS', 900, 60, 86_400),
    }),
    risk: riskSettings(env),
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
    httpInFlightMax: integer(env, 'HTTP_IN_FLIGHT_MAX', 512, 1, 100_000),
    ledgerQueueMax: integer(env, 'LEDGER_QUEUE_MAX', 4_096, 1, 1_000_000),
    ledgerBatchSizeMax: integer(env, 'LEDGER_BATCH_SIZE_MAX', 256, 1, 8000),
    ledgerBatchLingerMs: integer(env, 'LEDGER_BATCH_LINGER_MS', 1, 0, 100),
    ledgerBatchesInFlightMax: integer(env, 'LEDGER_BATCHES_IN_FLIGHT_MAX', 4, 1, 64),
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 60, 31_536_000),
    holdTtlSeconds: integer(env, 'HOLD_TTL_SECONDS', 604_800, 1, 2_592_000),
    idempotencyKeyTtlHours: integer(env, 'IDEMPOTENCY_KEY_TTL_HOURS', 192, 168, 8_760),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1_024, 16_777_216),
    workerIntervalMs: integer(env, 'WORKER_INTERVAL_MS', 5_000, 10, 3_600_000),
    webauthnOrigins: (optionalString(env, 'WEBAUTHN_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '')
      .map((origin) => {
        const url = new URL(origin);
        if (url.origin !== origin)
          throw new ConfigError(
            `WEBAUTHN_ORIGINS: ${origin} is not an origin like https://pay.example`,
          );
        return origin;
      }),
    workerMetricsPort:
      optionalString(env, 'WORKER_METRICS_PORT') === undefined
        ? undefined
        : integer(env, 'WORKER_METRICS_PORT', 0, 0, 65_535),
    seedDemo: (env['KASSA_SEED_DEMO'] ?? 'true') !== 'false',
    webApp: (env['KASSA_WEB_APP'] ?? 'true') !== 'false',
    processor: Object.freeze({
      url: processorUrl(env),
      ...processorKeys(env),
      simPort: integer(env, 'PROCESSOR_PORT', 4010, 0, 65_535),
      timeoutMs: integer(env, 'PROCESSOR_TIMEOUT_MS', 3_000, 20, 60_000),
      retries: integer(env, 'PROCESSOR_RETRIES', 3, 0, 5),
      hedgeAfterMs: integer(env, 'PROCESSOR_HEDGE_AFTER_MS', 1_000, 0, 60_000),
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
    nats: Object.freeze({
      url: natsUrl(env),
      stream: natsStream(env),
      credentials: natsCredentials(env),
      catchUpAfterSeconds: integer(env, 'NATS_CATCH_UP_AFTER_SECONDS', 60, 1, 86_400),
    }),
    backup: backupSettings(env),
    cluster: clusterSettings(env),
    journalAnchorFile:
      env['KASSA_JOURNAL_ANCHOR_FILE'] === 'off'
        ? null
        : resolve(
            env['KASSA_JOURNAL_ANCHOR_FILE'] ??
              `${env['KASSA_DATA_DIR'] ?? '.kassa'}/journal-anchors.jsonl`,
          ),
    journalAnchorIntervalSeconds: integer(env, 'JOURNAL_ANCHOR_INTERVAL_SECONDS', 60, 1, 86_400),
    reconcileIntervalSeconds: integer(env, 'RECONCILE_INTERVAL_SECONDS', 3_600, 0, 604_800),
    tracing: Object.freeze({
      enabled: env['OTEL_SDK_DISABLED'] !== 'true',
      otlpEndpoint: otlpEndpoint(env),
      retentionDays: integer(env, 'TRACE_RETENTION_DAYS', 7, 1, 365),
    }),
    largePaymentAlertMinor: integer(
      env,
      'LARGE_PAYMENT_ALERT_MINOR',
      50_000,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    opsWebhookUrl: opsWebhookUrl(env),
    webhooks: Object.freeze({
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 50, 60_000),
      retryScale: rate(env, 'WEBHOOK_RETRY_SCALE', 1),
      disableAfterHours: integer(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 120, 1, 8_760),
      concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, 1, 256),
      intervalMs: integer(env, 'WEBHOOK_INTERVAL_MS', 500, 10, 60_000),
      allowLoopback:
        (env['WEBHOOK_ALLOW_LOOPBACK'] ?? (options.quickStart === true ? 'true' : 'false')) ===
        'true',
      endpointsMax: integer(env, 'WEBHOOK_ENDPOINTS_MAX', 16, 1, 1_000),
    }),
    crashPoints: (env['KASSA_FAULT_CRASH_AT'] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  });
}

/**
 * The environment a child process inherits (PATH, locale, the settings above for Kassa's own
 * processes). Handed on whole, never read from here.
 */
export function childEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env };
}
