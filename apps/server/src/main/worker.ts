import type { Clock } from '../kernel/clock.ts';
import type { Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { reapIdempotencyKeys } from '../modules/idempotency/index.ts';
import type { Ledger } from '../modules/ledger/index.ts';
import { expireHolds, expireReviews } from '../modules/payments/index.ts';
import {
  countUnfinishedFlows,
  reconcile,
  type ProcessorClient,
  type Rails,
} from '../modules/rails/index.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { EventFeed } from '../modules/events/index.ts';
import { appendAnchor, journalHead, sealJournal } from '../modules/journal/index.ts';
import type { WebhookDelivery } from '../modules/webhooks/index.ts';

export interface HousekeepingTask {
  readonly name: string;
  readonly once?: boolean;
  run(now: Date): Promise<number>;
}

export interface Worker {
  /** Runs every job once (tests and `kassa` commands call this directly). */
  runOnce(): Promise<{
    holdsExpired: number;
    reviewsExpired: number;
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
 * rows it changes). Three loops, each skipping a tick while its last pass runs: the event relay
 * (outbox or JetStream to the consumers) and webhook sends every `webhookIntervalMs`, apart,
 * so a slow receiver never delays fan-out or alerts; and every `intervalMs` the journal's hash
 * chain (sealing), expiry of payment holds and other pending transfers, the reaper of
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
  /** Where the chain's head is appended, at most every `intervalMs` (null: not anchored). */
  journalAnchor: { readonly file: string; readonly intervalMs: number } | null;
  /**
   * Housekeeping of the modules (expiry of payments waiting for 2FA, reapers of short-lived
   * security records), each run every `intervalMs`; `once` tasks run on the first pass only
   * (re-sealing secrets left from before an upgrade). Each returns how many rows it changed.
   */
  housekeeping?: readonly HousekeepingTask[];
}): Worker {
  let stopped = false;
  let feedFailing = false;

  /** Runs `work` one pass at a time in this process: a second caller waits, then runs its own. */
  function oneAtATime<T>(work: () => Promise<T>): () => Promise<T> {
    let pass: Promise<unknown> = Promise.resolve();
    return () => {
      const run = pass.then(work, work);
      pass = run.catch(() => undefined);
      return run;
    };
  }

  /** The event feed (relay, fan-out, alerts): never waits for a webhook receiver. */
  const relay = oneAtATime(async () => {
    try {
      const eventsRelayed = await deps.feed.pump();
      if (feedFailing) deps.logger.info('event feed recovered');
      feedFailing = false;
      return eventsRelayed;
    } catch (error) {
      // Events wait in the outbox; webhooks already queued still go out. Logged once per outage.
      if (!feedFailing) deps.logger.error({ err: error }, 'event feed failed');
      feedFailing = true;
      return 0;
    }
  });

  /** Webhook sends: a pass can last as long as slow receivers make it. */
  const send = oneAtATime(() => deps.webhooks.deliverDue());

  async function relayAndSend() {
    const eventsRelayed = await relay();
    const sent = await send();
    return {
      eventsRelayed,
      webhooksDelivered: sent.delivered,
      webhooksFailed: sent.retrying + sent.dead,
    };
  }
  let lastReconciled = deps.clock.now().getTime();
  let firstPass = true;

  /** The modules' housekeeping; one task failing does not stop the others. */
  async function houseKeep(): Promise<Record<string, number>> {
    const ran: Record<string, number> = {};
    for (const task of deps.housekeeping ?? []) {
      if (task.once === true && !firstPass) continue;
      try {
        ran[task.name] = await task.run(deps.clock.now());
      } catch (error) {
        deps.logger.error({ err: error, task: task.name }, 'housekeeping task failed');
      }
    }
    firstPass = false;
    return ran;
  }

  let lastAnchored = { at: Number.NEGATIVE_INFINITY, position: '' };

  /** Copies the chain's head out of the database (a file, and the logs) when it moved. */
  async function anchorWhenDue(): Promise<void> {
    const anchor = deps.journalAnchor;
    const now = deps.clock.now();
    if (anchor === null || now.getTime() - lastAnchored.at < anchor.intervalMs) return;
    const head = await journalHead(deps.db.pool);
    if (head === null || head.position === lastAnchored.position) return;
    appendAnchor(anchor.file, { ...head, at: now.toISOString() });
    lastAnchored = { at: now.getTime(), position: head.position };
    deps.logger.info({ journalHead: head }, 'journal head anchored');
  }

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

  /** The slower jobs, every `intervalMs`. */
  const jobs = oneAtATime(async () => {
    const holdsExpired = await expireHolds(deps);
    const reviewsExpired = await expireReviews(deps);
    const pendingExpired = await deps.ledger.expirePending(500);
    const cutoff = new Date(deps.clock.now().getTime() - deps.idempotencyKeyTtlHours * 3_600_000);
    const keysReaped = await reapIdempotencyKeys(deps.db, cutoff);
    await deps.feed.reap(deps.clock.now());
    const flows = await deps.rails.resolveDue();
    deps.metrics.processorFlowsUnfinished.set(await countUnfinishedFlows(deps.db.pool));
    await reconcileWhenDue();
    let journalSealed = 0;
    for (let sealed = -1; sealed !== 0;) {
      const pass = await sealJournal(deps.db);
      if (pass.alreadySealedCount > 0)
        deps.logger.error(
          { eventSeqs: pass.alreadySealed, events: pass.alreadySealedCount },
          'journal chain out of commit order: events past its head were already sealed',
        );
      sealed = pass.sealed;
      journalSealed += sealed;
    }
    await anchorWhenDue();
    const housekept = await houseKeep();
    const ran = {
      ...housekept,
      journalSealed,
      holdsExpired,
      reviewsExpired,
      pendingExpired,
      keysReaped,
      flowsResolved: flows.resolved,
      flowsStillUnknown: flows.unknown,
    };
    if (Object.values(ran).some((n) => n > 0)) deps.logger.info(ran, 'worker jobs ran');
    return ran;
  });

  /** Everything once, in order (tests and `kassa` commands). */
  async function runOnce() {
    return { ...(await jobs()), ...(await relayAndSend()) };
  }

  /** A loop on its own timer, skipping ticks while its previous pass still runs. */
  function loop(pass: () => Promise<unknown>, label: string, intervalMs: number) {
    let busy = false;
    let current: Promise<unknown> = Promise.resolve();
    const interval = setInterval(() => {
      if (stopped || busy) return;
      busy = true;
      current = pass()
        .catch((error: unknown) => deps.logger.error({ err: error }, `${label} failed`))
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    interval.unref();
    return {
      stop: async () => {
        clearInterval(interval);
        await current;
      },
    };
  }
  // Three loops, so that neither slow receivers nor slow jobs hold up the event relay.
  const loops = [
    loop(jobs, 'worker job', deps.intervalMs),
    loop(relay, 'event relay', deps.webhookIntervalMs),
    loop(send, 'webhook sends', deps.webhookIntervalMs),
  ];

  return {
    runOnce,
    async stop() {
      stopped = true;
      await Promise.all(loops.map((l) => l.stop()));
      await deps.feed.close();
    },
  };
}
