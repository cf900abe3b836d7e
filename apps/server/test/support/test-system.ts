import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/config.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import { createSystem, type System } from '../../src/main/system.ts';
import { createLogger } from '../../src/platform/log.ts';
import { createProcessorSim, type ProcessorSim } from '../../../processor-sim/src/index.ts';
import { createTestDatabase } from './test-database.ts';
import { buildWebApp } from '@kassa/web/build';
import { base32Decode, hotp, totpStep } from '../../src/modules/identity/domain/totp.ts';
import { awayFromTotpStepEdge } from './totp-timing.ts';

/** The password of every user `signUp` makes. */
export const password = 'correct horse battery';

export interface TestSystem {
  readonly system: System;
  readonly databaseUrl: string;
  readonly operatorKey: string;
  readonly tokenSecret: string;
  /** The data-key settings (`KASSA_VAULT_KEYS` / `KASSA_VAULT_KEY_FILE`) for processes it spawns. */
  readonly keysEnv: Record<string, string>;
  /** Kassa's API key at the processor stand-in. */
  readonly processorApiKey: string;
  /** The key the stand-in signs callbacks with (and Kassa verifies them with). */
  readonly processorCallbackSecret: string;
  /** The processor stand-in, when the test asked for one (`processor: true`). */
  readonly sim: ProcessorSim | null;
  request(
    method: string,
    url: string,
    options?: {
      token?: string | null;
      body?: unknown;
      key?: string;
      headers?: Record<string, string>;
    },
  ): Promise<LightMyRequestResponse>;
  signUp(
    name?: string,
    currency?: string,
  ): Promise<{ token: string; userId: string; walletId: string; email: string }>;
  fund(walletId: string, amount: number, currency?: string): Promise<void>;
  /**
   * Turns 2FA on for a user signed up by `signUp` (its password is the test password);
   * `code(offset)` gives the TOTP code of the step `offset` away from now.
   */
  enrolTwoFactor(user: { token: string }): Promise<{
    secret: string;
    recoveryCodes: string[];
    code: (offset?: number) => string;
  }>;
  /** Saves a card in the vault; returns its `pm_` id. */
  addCard(token: string, number: string): Promise<string>;
  createMerchant(options?: {
    feeBps?: number;
    currency?: string;
  }): Promise<{ id: string; secretKey: string }>;
  /** Another API node on the same database (a restart, or a second process behind the balancer). */
  sibling(options?: { env?: Record<string, string>; tokenSecret?: string }): Promise<System>;
  balance(
    token: string,
    walletId: string,
  ): Promise<{ balance: number; available: number; pending: number }>;
  close(): Promise<void>;
}

/** The whole system on its own database, driven through `inject()` (no port). */
export async function startTestSystem(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    logLines?: string[];
    /** Build apps/web and serve it at /app/ (browser tests). */
    webApp?: boolean;
    /** Start a processor stand-in and point the system at it; `callbacks` also listens on a port. */
    processor?: boolean | { callbacks: boolean };
  } = {},
): Promise<TestSystem> {
  const database = await createTestDatabase();
  const vaultKeys = JSON.stringify({
    current: 'v1',
    keks: { v1: randomBytes(32).toString('base64') },
    fingerprint_key: randomBytes(32).toString('base64'),
  });
  const processorApiKey = randomBytes(24).toString('base64url');
  const processorCallbackSecret = randomBytes(24).toString('base64url');
  const sim =
    options.processor === undefined || options.processor === false
      ? null
      : createProcessorSim({ apiKey: processorApiKey, callbackSecret: processorCallbackSecret });
  const simUrl = sim === null ? undefined : await sim.listen(0);
  const config = loadConfig({
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
    DB_POOL_SIZE_MAX: '12',
    // Many sign-ups come from one address in tests; the rate-limit tests turn limits back on.
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    // Load tests pay hundreds of times a minute per user, far past a person's daily allowance;
    // the step-up tests set both back (STEP_UP_LIMITS='' restores the defaults).
    STEP_UP_VELOCITY_MAX: '1000000',
    STEP_UP_LIMITS: 'USD=1000/90000000000',
    // Tests run their webhook receivers on this machine, as a developer does with npm start.
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    KASSA_JOURNAL_ANCHOR_FILE: join(tmpdir(), `kassa-anchors-${randomUUID()}.jsonl`),
    // Each test system has data keys of its own unless the test brings a key file.
    KASSA_VAULT_KEYS: vaultKeys,
    ...(simUrl === undefined
      ? {}
      : {
          PROCESSOR_URL: simUrl,
          PROCESSOR_TIMEOUT_MS: '500',
          PROCESSOR_RESOLVE_AFTER_SECONDS: '0',
        }),
    ...options.env,
  });
  const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
  const tokenSecret = randomBytes(32).toString('base64url');
  const system = await createSystem({
    config,
    databaseUrl: database.url,
    secrets: {
      operatorKey,
      tokenSecret,
      processorApiKey,
      processorCallbackSecret,
      operatorKeyGenerated: false,
      postgresPassword: 'unused',
      backupCipherPass: 'unused',
      backupCipherPassRepo2: 'unused',
    },
    logger:
      options.logLines === undefined
        ? createLogger({ level: config.logLevel, name: 'kassa-test' })
        : createLogger({
            level: 'info',
            name: 'kassa-test',
            destination: { write: (line: string) => options.logLines?.push(line) },
          }),
    role: 'test',
    ...(options.webApp === true
      ? { webAppDir: await buildWebApp(join(tmpdir(), `kassa-web-${randomUUID()}`)) }
      : {}),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });

  sim?.setTracer(system.telemetry.tracerFor('kassa-processor-sim'));
  if (sim !== null && typeof options.processor === 'object' && options.processor.callbacks) {
    const url = await system.app.listen({ port: 0, host: '127.0.0.1' });
    sim.setCallbackUrl(`${url}/v1/processor/callbacks`);
  }

  const request: TestSystem['request'] = (method, url, opts = {}) =>
    system.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(opts.token === undefined || opts.token === null
          ? {}
          : { authorization: `Bearer ${opts.token}` }),
        ...(opts.key === undefined ? {} : { 'idempotency-key': opts.key }),
        ...opts.headers,
      },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });

  async function expectOk(response: LightMyRequestResponse, what: string) {
    if (response.statusCode >= 300)
      throw new Error(`${what} failed: ${response.statusCode} ${response.body}`);
    return response.json<Record<string, unknown>>();
  }

  return {
    system,
    databaseUrl: database.url,
    operatorKey,
    tokenSecret,
    keysEnv: {
      KASSA_VAULT_KEYS: options.env?.['KASSA_VAULT_KEYS'] ?? vaultKeys,
      ...(options.env?.['KASSA_VAULT_KEY_FILE'] === undefined
        ? {}
        : { KASSA_VAULT_KEY_FILE: options.env['KASSA_VAULT_KEY_FILE'] }),
    },
    processorApiKey,
    processorCallbackSecret,
    sim,
    request,
    async signUp(name = 'Test User', currency = 'USD') {
      // Letters only: an email never looks like it holds a card number by chance.
      const email = `u-${randomUUID().replace(/[0-9-]/g, (c) => (c === '-' ? '' : ('ghijklmnop'[Number(c)] ?? '')))}@kassa.test`;
      const user = await expectOk(
        await request('POST', '/v1/users', { body: { email, password, name, currency } }),
        'sign-up',
      );
      const session = await expectOk(
        await request('POST', '/v1/sessions', { body: { email, password } }),
        'log-in',
      );
      const wallets = user['wallets'] as { id: string }[];
      return {
        token: String(session['access_token']),
        userId: String(user['id']),
        walletId: wallets[0]?.id ?? '',
        email,
      };
    },
    async fund(walletId, amount, currency = 'USD') {
      await expectOk(
        await request('POST', '/v1/admin/funding', {
          token: operatorKey,
          key: randomUUID(),
          body: { wallet: walletId, amount, currency },
        }),
        'funding',
      );
    },
    async createMerchant(opts = {}) {
      const merchant = await expectOk(
        await request('POST', '/v1/merchants', {
          token: operatorKey,
          body: {
            name: 'Test Shop',
            category: 'retail',
            currency: opts.currency ?? 'USD',
            fee_bps: opts.feeBps ?? 290,
          },
        }),
        'merchant',
      );
      return { id: String(merchant['id']), secretKey: String(merchant['secret_key']) };
    },
    async balance(token, walletId) {
      return expectOk(
        await request('GET', `/v1/wallets/${walletId}`, { token }),
        'wallet',
      ) as Promise<{ balance: number; available: number; pending: number }>;
    },
    sibling(opts = {}) {
      return createSystem({
        // The same data keys as this system (another node of one deployment).
        config: loadConfig({
          LOG_LEVEL: 'silent',
          KASSA_VAULT_KEYS: options.env?.['KASSA_VAULT_KEYS'] ?? vaultKeys,
          ...(options.env?.['KASSA_VAULT_KEY_FILE'] === undefined
            ? {}
            : { KASSA_VAULT_KEY_FILE: options.env['KASSA_VAULT_KEY_FILE'] }),
          ...opts.env,
        }),
        databaseUrl: database.url,
        secrets: {
          operatorKey,
          tokenSecret: opts.tokenSecret ?? tokenSecret,
          processorApiKey,
          processorCallbackSecret,
          operatorKeyGenerated: false,
          postgresPassword: 'unused',
          backupCipherPass: 'unused',
          backupCipherPassRepo2: 'unused',
        },
        logger: createLogger({ level: 'silent', name: 'kassa-test-sibling' }),
        role: 'test',
      });
    },
    async enrolTwoFactor(user) {
      await awayFromTotpStepEdge();
      const started = await expectOk(
        await request('POST', '/v1/2fa/totp', { token: user.token, body: { password } }),
        '2fa start',
      );
      const secret = String(started['secret']);
      const key = base32Decode(secret);
      const code = (offset = 0) => hotp(key, totpStep(new Date()) + BigInt(offset));
      const confirmed = await expectOk(
        await request('POST', '/v1/2fa/totp/confirm', {
          token: user.token,
          body: { code: code(-1) },
        }),
        '2fa confirm',
      );
      return { secret, code, recoveryCodes: confirmed['recovery_codes'] as string[] };
    },
    async addCard(token, number) {
      const card = await expectOk(
        await request('POST', '/v1/payment_methods', {
          token,
          body: { card: { number, exp_month: 12, exp_year: 2031, cvc: '123' } },
        }),
        'card',
      );
      return String(card['id']);
    },
    async close() {
      await system.close();
      await sim?.close();
      await database.drop();
    },
  };
}
