import type { Config } from '../config/config.ts';
import type { Clock } from '../kernel/clock.ts';
import {
  createProcessorClient,
  createRails,
  type ProcessorClient,
  type Rails,
} from '../modules/rails/index.ts';
import { createCircuitBreaker, type CircuitBreaker } from '../platform/circuit-breaker.ts';
import type { Logger } from '../platform/log.ts';
import type { Adapters } from './adapters.ts';
import type { Secrets } from './secrets.ts';

export interface ProcessorRails {
  /** The processor connector (null when PROCESSOR_URL is unset) and its circuit breaker. */
  readonly processor: ProcessorClient | null;
  readonly breaker: CircuitBreaker;
  /** Top-ups and payouts through the processor. */
  readonly rails: Rails;
}

/** Builds the processor connector behind its circuit breaker, and the rails that use it. */
export function createProcessorRails(deps: {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  clock: Clock;
  adapters: Adapters;
}): ProcessorRails {
  const { config, logger, clock } = deps;
  const { db, ledger, vault, systemAccounts, bankBox, metrics } = deps.adapters;
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
          apiKey: deps.secrets.processorApiKey,
          timeoutMs: config.processor.timeoutMs,
          retries: config.processor.retries,
          hedgeAfterMs: config.processor.hedgeAfterMs,
          breaker,
          metrics,
          tracer: deps.adapters.telemetry.tracer,
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
    onAccountsChanged: deps.adapters.dropCachedWallets,
    tracer: deps.adapters.telemetry.tracer,
  });
  return { processor, breaker, rails };
}
