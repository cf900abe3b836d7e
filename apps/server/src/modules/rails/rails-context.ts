import type { Clock } from '../../kernel/clock.ts';
import type { CircuitBreaker } from '../../platform/circuit-breaker.ts';
import type { Db } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import type { Tracer } from '../../platform/tracing.ts';
import type { SystemAccounts } from '../payments/index.ts';
import type { CardVault } from '../vault/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { ProcessorClient } from './processor-client.ts';

export interface RailsDeps {
  readonly db: Db;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly vault: Pick<CardVault, 'revealForProcessor'>;
  readonly systemAccounts: SystemAccounts;
  /** Absent when no processor is configured: top-ups and payouts are refused. */
  readonly processor: ProcessorClient | null;
  readonly breaker: CircuitBreaker;
  /** Seals bank account details at rest. */
  readonly bankBox: SecretBox;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** How long a driver may hold a flow: longer than all attempts of one call together. */
  readonly leaseMs: number;
  /** Unfinished flows idle this long are resolved by the worker. */
  readonly resolveAfterSeconds: number;
  /** A charge waiting for 3-D Secure longer than this is canceled and the top-up failed. */
  readonly authenticationTimeoutMs: number;
  /** Recovery points at which to die (crash tests only; see config `crashPoints`). */
  readonly crashPoints: readonly string[];
  /** After a commit that changed balances (cached display views are dropped). */
  readonly onAccountsChanged?: (accountIds: readonly string[]) => void;
  readonly random?: () => number;
  /** The worker's resolution of each idle flow is a trace of its own. */
  readonly tracer?: Tracer;
}

/**
 * What the parts of a flow share (starting it, settling it, resolving it): the deps and the few
 * helpers made from them. `createRails` builds it once and hands the same one to every part.
 */
export interface RailsContext {
  readonly deps: RailsDeps;
  /** `deps.random`, or `Math.random` when none is given: the jitter of the worker's backoff. */
  readonly random: () => number;
  /** Dies at the named recovery point when the crash tests ask for it. */
  readonly crashPoint: (name: string) => void;
  /** When a lease taken at `now` runs out. */
  readonly leaseFrom: (now: Date) => Date;
}

export function railsContext(deps: RailsDeps): RailsContext {
  return {
    deps,
    random: deps.random ?? Math.random,
    crashPoint(name) {
      if (deps.crashPoints.includes(name)) process.kill(process.pid, 'SIGKILL');
    },
    leaseFrom(now) {
      return new Date(now.getTime() + deps.leaseMs);
    },
  };
}
