import type { FastifyInstance } from 'fastify';
import { riskListRoutes, ruleSetRoutes, type RiskEngine } from '../modules/risk/index.ts';
import type { Config } from '../config/config.ts';
import { webAppRoutes } from '../http/web-app.ts';
import type { Clock } from '../kernel/clock.ts';
import { eventRoutes, publisherName, type OutboxConsumer } from '../modules/events/index.ts';
import {
  apiKeyRoutes,
  createPrincipalLiveness,
  deviceRoutes,
  identityRoutes,
  operatorRoutes,
  sessionRoutes,
  twoFactorRoutes,
  type MerchantProfiles,
  type StepUpVerifier,
} from '../modules/identity/index.ts';
import { ledgerRoutes } from '../modules/ledger/index.ts';
import { notificationRoutes, type NotificationHub } from '../modules/notifications/index.ts';
import { opsRoutes } from '../modules/ops/index.ts';
import {
  paymentRoutes,
  recipientRoutes,
  walletView,
  type Recipients,
  type StepUpPolicy,
} from '../modules/payments/index.ts';
import { railsRoutes } from '../modules/rails/index.ts';
import { receiptRoutes } from '../modules/receipts/index.ts';
import { vaultRoutes } from '../modules/vault/index.ts';
import { webhookRoutes, type EndpointStore } from '../modules/webhooks/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Adapters } from './adapters.ts';
import type { ProcessorRails } from './processor-rails.ts';
import type { Secrets } from './secrets.ts';

/** A plugin that adds routes to the API, in its own encapsulated context. */
export type RoutePlugin = (app: FastifyInstance) => Promise<void>;

/**
 * The API's route plugins, each given the parts it needs. Their order is the order of the
 * OpenAPI document (and of the SDK generated from it).
 */
export function apiRoutes(deps: {
  config: Config;
  clock: Clock;
  logger: Logger;
  secrets: Secrets;
  adapters: Adapters;
  processorRails: ProcessorRails;
  endpoints: EndpointStore;
  stepUp: StepUpPolicy;
  stepUpVerifier: StepUpVerifier;
  recipients: Recipients;
  risk: RiskEngine;
  merchantProfiles: MerchantProfiles;
  notifications: NotificationHub;
  consumers: readonly OutboxConsumer[];
  /** Whether the process still takes new work (false once shutdown begins). */
  accepting: () => boolean;
  /** A built web app (apps/web) to serve at /app/. */
  webAppDir: string | undefined;
}): RoutePlugin[] {
  const { config, clock, logger, stepUp, stepUpVerifier, recipients } = deps;
  const { db, ledger, metrics, redis, cache, revokedSessions, factors } = deps.adapters;
  const { processor, breaker, rails } = deps.processorRails;
  return [
    opsRoutes({
      db,
      metrics,
      readinessTimeoutMs: 1_000,
      outboxReaders: [
        ...deps.consumers.map((c) => c.name),
        ...(config.nats.url === undefined ? [] : [publisherName]),
      ],
      accepting: deps.accepting,
      processorCircuit: () => (processor === null ? 'not_configured' : breaker.state()),
      redisHealthy: () => (redis === undefined ? null : redis.healthy()),
    }),
    identityRoutes({
      db,
      ledger,
      clock,
      sessions: deps.adapters.sessions,
      merchantProfiles: deps.merchantProfiles,
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
      sessions: deps.adapters.sessions,
      factors,
      onFamilyRevoked: (familyId) => revokedSessions.markRevoked(familyId),
      webauthnOrigins: config.webauthnOrigins,
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
      systemAccounts: deps.adapters.systemAccounts,
      metrics,
      cache,
      holdTtlSeconds: config.holdTtlSeconds,
      stepUpExpirySeconds: config.stepUp.expirySeconds,
      risk: deps.risk,
      reviewTtlSeconds: config.risk.reviewTtlSeconds,
    }),
    recipientRoutes({ recipients }),
    riskListRoutes({ db, clock }),
    ruleSetRoutes({ db, clock, risk: deps.risk }),
    operatorRoutes({ db, clock }),
    ledgerRoutes({ db, ledger }),
    vaultRoutes({ db, clock, vault: deps.adapters.vault }),
    railsRoutes({
      rails,
      stepUp,
      clock,
      logger,
      callbackSecret: deps.secrets.processorCallbackSecret,
      risk: deps.risk,
    }),
    eventRoutes({ db }),
    receiptRoutes({ db }),
    notificationRoutes({
      db,
      clock,
      hub: deps.notifications,
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
      endpoints: deps.endpoints,
      allowLoopback: config.webhooks.allowLoopback,
      endpointsMax: config.webhooks.endpointsMax,
    }),
    ...(deps.webAppDir === undefined ? [] : [webAppRoutes(deps.webAppDir)]),
  ];
}
