import { assert } from '../../kernel/assert.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db, DbClient } from '../../platform/db.ts';
import {
  claimIdempotencyKeys,
  type IdempotencyClaim,
  type StoredResponse,
} from '../idempotency/index.ts';
import { BatchEffects } from '../../platform/batch-effects.ts';
import {
  activeContext,
  contextWithSpan,
  isTraced,
  noTracer,
  runInContext,
  setSpanError,
  type Context,
  type Span,
  type Tracer,
} from '../../platform/tracing.ts';
import { applyTransfers } from './domain/apply-transfers.ts';
import { transferFlags, type TransferInput, type TransferOutcome } from './domain/ledger-types.ts';
import { loadForBatch, writeBatch } from './store/ledger-store.ts';

export type Prepared<R> = { readonly transfers: readonly TransferInput[] } | { readonly result: R };

/**
 * One unit of work that may move money. The writer runs many commands in one transaction
 * (group commit, the way TigerBeetle batches): it claims every command's idempotency key with
 * one statement, lets each command prepare (read or lock what it needs), has the ledger decide
 * all their transfers at once with one update per account, lets each command finish by adding
 * rows to the batch's effects, and writes every kind of row with one statement.
 */
export interface LedgerCommand<R> {
  /** Commands sharing any key never share a batch (same idempotency key, same payment). */
  readonly exclusiveKeys: readonly string[];
  /** Claimed by the writer in the batch transaction, before `prepare`. */
  readonly claim?: IdempotencyClaim;
  /** The answer when the key was already used for the same request. */
  replay?(stored: StoredResponse): R;
  prepare(client: DbClient, effects: BatchEffects): Promise<Prepared<R>>;
  /** `outcomes` has one entry per prepared transfer; the transfers formed one linked chain. */
  finish(outcomes: readonly TransferOutcome[], effects: BatchEffects): R;
}

export interface LedgerWriterOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly batchSizeMax: number;
  readonly lingerMs: number;
  readonly batchesInFlightMax: number;
  /**
   * Commands that may wait for a batch; past it `execute` refuses at once (503, nothing claimed
   * or moved) rather than queueing without bound.
   */
  readonly queueMax: number;
  readonly onQueueLength?: (length: number) => void;
  readonly onShed?: () => void;
  /** After a batch committed: the accounts it may have changed (cache invalidation). */
  readonly onAccountsChanged?: (accountIds: readonly string[]) => void;
  readonly onBatch?: (
    size: number,
    durationMs: number,
    outcome: 'committed' | 'failed' | 'split',
  ) => void;
  /**
   * Each traced command gets a `ledger.command` span (queued to settled), and runs its
   * `prepare` and `finish` in its own caller's context, so the events it writes carry its
   * trace; the batch's transaction is traced under the first command's span.
   */
  readonly tracer?: Tracer;
}

export interface LedgerWriter {
  execute<R>(command: LedgerCommand<R>): Promise<R>;
  /** Waits for queued commands to finish; later calls to execute are refused. */
  close(): Promise<void>;
}

interface Entry {
  readonly command: LedgerCommand<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The caller's context, with the command's span when traced. */
  readonly context: Context;
  readonly span: Span | null;
  readonly queuedMs: number;
}

type Settled =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export function createLedgerWriter(options: LedgerWriterOptions): LedgerWriter {
  const tracer = options.tracer ?? noTracer;
  const queue: Entry[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const idle: (() => void)[] = [];

  function schedule(): void {
    if (queue.length === 0) {
      if (inFlight === 0) for (const done of idle.splice(0)) done();
      return;
    }
    if (inFlight >= options.batchesInFlightMax || timer !== undefined) return;
    // Nothing in flight: nothing will commit soon for these commands to share, so lingering
    // would only add latency. While batches are in flight, commands gather behind them anyway.
    if (queue.length >= options.batchSizeMax || options.lingerMs === 0 || inFlight === 0) {
      flush();
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      flush();
    }, options.lingerMs);
  }

  function flush(): void {
    while (queue.length > 0 && inFlight < options.batchesInFlightMax) {
      const batch = takeBatch();
      inFlight += 1;
      void runBatch(batch).finally(() => {
        inFlight -= 1;
        schedule();
      });
    }
  }

  function takeBatch(): Entry[] {
    const batch: Entry[] = [];
    const keys = new Set<string>();
    const deferred: Entry[] = [];
    while (queue.length > 0 && batch.length < options.batchSizeMax) {
      const entry = queue.shift();
      assert(entry !== undefined, 'queue not empty');
      if (entry.command.exclusiveKeys.some((key) => keys.has(key))) {
        deferred.push(entry);
        continue;
      }
      for (const key of entry.command.exclusiveKeys) keys.add(key);
      batch.push(entry);
    }
    queue.unshift(...deferred);
    return batch;
  }

  async function runBatch(batch: Entry[]): Promise<void> {
    const startedMs = performance.now();
    for (const entry of batch) {
      entry.span?.setAttribute('kassa.ledger.batch_size', batch.length);
      entry.span?.setAttribute(
        'kassa.ledger.queue_wait_ms',
        Math.round(startedMs - entry.queuedMs),
      );
    }
    try {
      // The batch runs in its first command's context: not in whichever caller's (or earlier
      // batch's) context happened to start this flush.
      const { settled, accountIds } = await runInContext(batch[0]?.context ?? activeContext(), () =>
        options.db.transaction((client) => runInTransaction(client, batch)),
      );
      options.onBatch?.(batch.length, performance.now() - startedMs, 'committed');
      if (accountIds.length > 0) options.onAccountsChanged?.(accountIds);
      batch.forEach((entry, i) => {
        const result = settled[i];
        assert(result !== undefined, 'every command settled');
        if (result.ok) entry.resolve(result.value);
        else entry.reject(result.error);
      });
    } catch (error) {
      const outcomeUnknown = error instanceof KassaError && error.moneyMoved === null;
      if (batch.length > 1 && !outcomeUnknown) {
        // One command's unexpected failure must not fail the others: run each on its own.
        options.onBatch?.(batch.length, performance.now() - startedMs, 'split');
        await Promise.all(batch.map((entry) => runBatch([entry])));
        return;
      }
      options.onBatch?.(batch.length, performance.now() - startedMs, 'failed');
      for (const entry of batch) entry.reject(error);
    }
  }

  async function runInTransaction(
    client: DbClient,
    batch: readonly Entry[],
  ): Promise<{ settled: Settled[]; accountIds: string[] }> {
    const settled: (Settled | undefined)[] = new Array<Settled | undefined>(batch.length);
    const effects = new BatchEffects(options.clock.now());
    const claimants = batch.flatMap((entry, i) => (entry.command.claim === undefined ? [] : [i]));
    const claims = await claimIdempotencyKeys(
      client,
      claimants.map((i) => batch[i]!.command.claim!),
    );
    claims.forEach((outcome, c) => {
      const i = claimants[c]!;
      const command = batch[i]!.command;
      if (outcome instanceof KassaError) settled[i] = { ok: false, error: outcome };
      else if (outcome.status === 'replay') {
        assert(command.replay !== undefined, 'a command with a claim can replay');
        settled[i] = { ok: true, value: command.replay(outcome.response) };
      }
    });
    const inputs: TransferInput[] = [];
    const slices = new Map<number, [number, number]>();
    for (const [i, entry] of batch.entries()) {
      if (settled[i] !== undefined) continue;
      const step = await runInContext(entry.context, () => entry.command.prepare(client, effects));
      if ('result' in step) {
        settled[i] = { ok: true, value: step.result };
        continue;
      }
      const start = inputs.length;
      step.transfers.forEach((transfer, t) => {
        const last = t === step.transfers.length - 1;
        inputs.push({
          ...transfer,
          flags: last
            ? transfer.flags & ~transferFlags.linked
            : transfer.flags | transferFlags.linked,
        });
      });
      slices.set(i, [start, inputs.length]);
    }
    let outcomes: TransferOutcome[] = [];
    let accountIds: string[] = [];
    if (inputs.length > 0) {
      const state = await loadForBatch(client, inputs, { idsAreNew: true });
      accountIds = [...state.accounts.keys()];
      const applied = applyTransfers(state, inputs, effects.now);
      writeBatch(effects, applied);
      outcomes = applied.outcomes;
    }
    for (const [i, [start, end]] of slices) {
      const entry = batch[i]!;
      settled[i] = {
        ok: true,
        value: runInContext(entry.context, () =>
          entry.command.finish(outcomes.slice(start, end), effects),
        ),
      };
    }
    await effects.flush(client);
    return {
      settled: settled.map((s) => {
        assert(s !== undefined, 'every command settled');
        return s;
      }),
      accountIds,
    };
  }

  return {
    execute<R>(command: LedgerCommand<R>): Promise<R> {
      if (closed) return Promise.reject(new KassaError('service_unavailable', 'shutting down'));
      if (queue.length >= options.queueMax) {
        options.onShed?.();
        return Promise.reject(
          new KassaError('service_unavailable', 'Kassa is busy: try again in a second', {
            retryAfterSeconds: 1,
          }),
        );
      }
      const caller = activeContext();
      const span = isTraced(caller) ? tracer.startSpan('ledger.command', {}, caller) : null;
      const settled = new Promise<R>((resolve, reject) => {
        queue.push({
          command,
          resolve,
          reject,
          context: span === null ? caller : contextWithSpan(caller, span),
          span,
          queuedMs: performance.now(),
        });
        options.onQueueLength?.(queue.length);
        schedule();
      });
      if (span !== null)
        void settled.then(
          () => span.end(),
          (error: unknown) => {
            setSpanError(span, error);
            span.end();
          },
        );
      return settled;
    },
    async close() {
      closed = true;
      if (queue.length === 0 && inFlight === 0) return;
      await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
