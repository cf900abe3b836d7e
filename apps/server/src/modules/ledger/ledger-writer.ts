import { assert } from '../../kernel/assert.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db, DbClient } from '../../platform/db.ts';
import { applyTransfers } from './domain/apply-transfers.ts';
import { transferFlags, type TransferInput, type TransferOutcome } from './domain/ledger-types.ts';
import { loadForBatch, writeBatch } from './store/ledger-store.ts';

/**
 * One unit of work that may move money. The writer runs many commands in one transaction
 * (group commit, the way TigerBeetle batches): every command prepares (claims its idempotency
 * key, reads what it needs), the ledger decides all their transfers at once with one update per
 * account, then every command finishes (writes its own rows) with its own outcome.
 */
export interface LedgerCommand<R> {
  /** Commands with the same key never share a batch (same idempotency key, same object). */
  readonly exclusiveKey?: string;
  prepare(
    client: DbClient,
  ): Promise<{ readonly transfers: readonly TransferInput[] } | { readonly result: R }>;
  /** `outcomes` has one entry per prepared transfer; the transfers formed one linked chain. */
  finish(client: DbClient, outcomes: readonly TransferOutcome[]): Promise<R>;
}

export interface LedgerWriterOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly batchSizeMax: number;
  readonly lingerMs: number;
  readonly batchesInFlightMax: number;
  readonly onBatch?: (
    size: number,
    durationMs: number,
    outcome: 'committed' | 'failed' | 'split',
  ) => void;
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
}

type Prepared = { readonly transfers: readonly TransferInput[] } | { readonly result: unknown };

export function createLedgerWriter(options: LedgerWriterOptions): LedgerWriter {
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
    if (queue.length >= options.batchSizeMax || options.lingerMs === 0) {
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
      const key = entry.command.exclusiveKey;
      if (key !== undefined && keys.has(key)) {
        deferred.push(entry);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(entry);
    }
    queue.unshift(...deferred);
    return batch;
  }

  async function runBatch(batch: Entry[]): Promise<void> {
    const startedMs = performance.now();
    try {
      const results = await options.db.transaction((client) => runInTransaction(client, batch));
      options.onBatch?.(batch.length, performance.now() - startedMs, 'committed');
      batch.forEach((entry, i) => entry.resolve(results[i]));
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

  async function runInTransaction(client: DbClient, batch: readonly Entry[]): Promise<unknown[]> {
    const prepared: Prepared[] = [];
    for (const entry of batch) prepared.push(await entry.command.prepare(client));
    const inputs: TransferInput[] = [];
    const slices: [number, number][] = [];
    for (const step of prepared) {
      const start = inputs.length;
      if ('transfers' in step) {
        step.transfers.forEach((transfer, i) => {
          const last = i === step.transfers.length - 1;
          const flags = last
            ? transfer.flags & ~transferFlags.linked
            : transfer.flags | transferFlags.linked;
          inputs.push({ ...transfer, flags });
        });
      }
      slices.push([start, inputs.length]);
    }
    let outcomes: TransferOutcome[] = [];
    if (inputs.length > 0) {
      const state = await loadForBatch(client, inputs);
      const applied = applyTransfers(state, inputs, options.clock.now());
      await writeBatch(client, applied);
      outcomes = applied.outcomes;
    }
    const results: unknown[] = [];
    for (const [i, entry] of batch.entries()) {
      const step = prepared[i];
      const slice = slices[i];
      assert(step !== undefined && slice !== undefined, 'prepared every command');
      results.push(
        'result' in step
          ? step.result
          : await entry.command.finish(client, outcomes.slice(...slice)),
      );
    }
    return results;
  }

  return {
    execute<R>(command: LedgerCommand<R>): Promise<R> {
      if (closed) return Promise.reject(new KassaError('service_unavailable', 'shutting down'));
      return new Promise<R>((resolve, reject) => {
        queue.push({ command, resolve, reject });
        schedule();
      });
    },
    async close() {
      closed = true;
      if (queue.length === 0 && inFlight === 0) return;
      await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
