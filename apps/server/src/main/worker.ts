import type { Clock } from '../kernel/clock.ts';
import type { Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { reapIdempotencyKeys } from '../modules/idempotency/index.ts';
import type { Ledger } from '../modules/ledger/index.ts';
import { expireHolds } from '../modules/payments/index.ts';
import {
  countUnfinishedFlows,
  reconcile,
  type ProcessorClient,
  type Rails,
} from '../modules/rails/index.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { EventFeed } from '../modules/events/index.ts';
import { sealJournal } from '../modules/journal/index.ts';
import type { WebhookDelivery } from '../modules/webhooks/index.ts';

export interface Worker {
  /** Runs every job once (tests and `kassa` commands call this directly). */
  runOnce(): Promise<{
    holdsExpired: number;
    pendingExpired: number;
    keysReaped: number;
    flowsResolved: number;
    flowsStillUnknown: number;
    journalSealed: number;
    eventsRelayed: number;
    webhooksDelivered: number;
    webhooksFailed: number;
  }>;
  stop(): Promise<void>;
}

/**
 * Background jobs, safe to run in any number of processes at once (each job locks or leases the
 * rows it changes): the journal's hash chain (sealing), the outbox relay and webhook sends,
 * expiry of payment holds and other pending transfers, the reaper of
 * idempotency keys older than their retention, recovery of top-ups and payouts left unfinished
 * (asking the processor what happened), and reconciliation with the processor's settlement
 * report every `reconcileIntervalMs`.
 */
export function startWorker(deps: {
  db: Db;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  idempotencyKeyTtlHours: number;
  rails: Rails;
  processor: ProcessorClient | null;
  metrics: Metrics;
  reconcileIntervalMs: number;
  webhooks: WebhookDelivery;
  /** Hands committed events to their consumers (webhook fan-out, notifications). */
  feed: EventFeed;
  webhookIntervalMs: number;
}): Worker {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let sending: Promise<unknown> = Promise.resolve();
  let sendingBusy = false;

  /**
   * The outbox relay and webhook sends: frequent, and apart from the slower jobs. One pass at a
   * time per process (a second caller waits for the running pass, then runs its own).
   */
  let pass: Promise<unknown> = Promise.resolve();
  let feedFailing = false;
  function relayAndSend() {
    const run = pass.then(relayAndSendOnce, relayAndSendOnce);
    pass = run.catch(() => undefined);
    return run;
  }

  async function relayAndSendOnce() {
    let eventsRelayed = 0;
    try {
      eventsRelayed = await deps.feed.pump();
      if (feedFailing) deps.logger.info('event feed recovered');
      feedFailing = false;
    } catch (error) {
      // Events wait in the outbox; webhooks already queued still go out. Logged once per outage.
      if (!feedFailing) deps.logger.error({ err: error }, 'event feed failed');
      feedFailing = true;
    }
    const sent = await deps.webhooks.deliverDue();
    return {
      eventsRelayed,
      webhooksDelivered: sent.delivered,
      webhooksFailed: sent.retrying + sent.dead,
    };
  }
  let lastReconciled = deps.clock.now().getTime();

  async function reconcileWhenDue(): Promise<void> {
    const processor = deps.processor;
    if (processor === null || deps.reconcileIntervalMs === 0) return;
    if (deps.clock.now().getTime() - lastReconciled < deps.reconcileIntervalMs) return;
    lastReconciled = deps.clock.now().getTime();
    const report = await reconcile({ db: deps.db, processor, clock: deps.clock });
    deps.metrics.reconciliationMismatches.set(report.mismatches.length);
    const log = report.mismatches.length === 0 ? deps.logger.info : deps.logger.error;
    log.call(
      deps.logger,
      { matched: report.matched, inFlight: report.in_flight, mismatches: report.mismatches },
      'reconciliation with the processor',
    );
  }

  async function runOnce() {
    const holdsExpired = await expireHolds(deps);
    const pendingExpired = await deps.ledger.expirePending(500);
    const cutoff = new Date(deps.clock.now().getTime() - deps.idempotencyKeyTtlHours * 3_600_000);
    const keysReaped = await reapIdempotencyKeys(deps.db, cutoff);
    await deps.feed.reap(deps.clock.now());
    const flows = await deps.rails.resolveDue();
    deps.metrics.processorFlowsUnfinished.set(await countUnfinishedFlows(deps.db.pool));
    await reconcileWhenDue();
    let journalSealed = 0;
    for (let sealed = -1; sealed !== 0;) {
      sealed = await sealJournal(deps.db);
      journalSealed += sealed;
    }
    const ran = {
      journalSealed,
      holdsExpired,
      pendingExpired,
      keysReaped,
      flowsResolved: flows.resolved,
      flowsStillUnknown: flows.unknown,
      ...(await relayAndSend()),
    };
    if (Object.values(ran).some((n) => n > 0)) deps.logger.info(ran, 'worker jobs ran');
    return ran;
  }

  const timer = setInterval(() => {
    if (stopped) return;
    running = runOnce().catch((error: unknown) =>
      deps.logger.error({ err: error }, 'worker job failed'),
    );
  }, deps.intervalMs);
  timer.unref();
  const sender = setInterval(() => {
    if (stopped || sendingBusy) return;
    sendingBusy = true;
    sending = relayAndSend()
      .catch((error: unknown) =>
        deps.logger.error({ err: error }, 'outbox relay or webhooks failed'),
      )
      .finally(() => {
        sendingBusy = false;
      });
  }, deps.webhookIntervalMs);
  sender.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(sender);
      await running;
      await sending;
      await deps.feed.close();
    },
  };
}
