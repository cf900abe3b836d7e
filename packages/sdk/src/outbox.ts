import { KassaApiError, KassaNetworkError, OfflineLimitError } from './errors.ts';
import { isUnsettled, type OutboxRecord, type OutboxRequest } from './outbox-record.ts';
import { isRetryable, retryDelayMs, type RetryPolicy } from './retry.ts';
import type { StateStore } from './state-store.ts';
import type { Payment, Transfer } from './types.ts';

export interface OutboxDeps {
  readonly store: StateStore;
  /** Sends one attempt of a record (same key every time). */
  readonly send: (record: OutboxRecord) => Promise<Transfer | Payment>;
  readonly retry: RetryPolicy;
  /** Most a device may hold queued (unconfirmed) per currency, in minor units. */
  readonly offlineLimitMinor: number;
  readonly online: () => boolean;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type OutboxListener = (record: OutboxRecord) => void;

/**
 * Money-moving requests go through this outbox: each is stored with its idempotency key before
 * the first send, then sent (now, or when the connection returns), retried with backoff and
 * jitter on anything that may succeed later, always with the same key, so Kassa applies it once.
 */
export function createOutbox(deps: OutboxDeps) {
  const listeners = new Set<OutboxListener>();
  let pumping: Promise<OutboxRecord[]> | undefined;
  let again = false;
  /** The last attempt got no answer: the device behaves as offline until one gets through. */
  let unreachable = false;

  const offline = () => unreachable || !deps.online();

  async function put(id: string, change: (r: OutboxRecord) => OutboxRecord): Promise<OutboxRecord> {
    const state = await deps.store.update((s) => {
      const current = s.records[id];
      return current === undefined ? s : { ...s, records: { ...s.records, [id]: change(current) } };
    });
    const record = state.records[id];
    if (record === undefined) throw new Error(`outbox record ${id} vanished`);
    for (const listener of listeners) listener(record);
    return record;
  }

  function settle(result: Transfer | Payment): Pick<OutboxRecord, 'state' | 'result' | 'error'> {
    const state =
      result.status === 'requires_action'
        ? 'requires_action'
        : result.status === 'failed' || result.status === 'canceled'
          ? 'failed'
          : 'succeeded';
    return { state, result, error: null };
  }

  /** Sends one record until Kassa answers for certain or this round of attempts is used up. */
  async function deliver(id: string): Promise<OutboxRecord> {
    let record = await put(id, (r) => ({ ...r, state: 'processing' }));
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await deps.send(record);
        unreachable = false;
        return await put(id, (r) => ({
          ...r,
          ...settle(result),
          attempts: r.attempts + 1,
          outcomeUnknown: false,
        }));
      } catch (error) {
        const retryable = isRetryable(error);
        record = await put(id, (r) => ({
          ...r,
          attempts: r.attempts + 1,
          outcomeUnknown: r.outcomeUnknown || error instanceof KassaNetworkError,
        }));
        if (
          error instanceof KassaApiError &&
          error.status === 401 &&
          error.code !== 'invalid_device_signature'
        ) {
          // Signed out: keep it queued for after the next log-in; never call it failed.
          return put(id, (r) => ({ ...r, state: 'queued_on_device' }));
        }
        if (!retryable) {
          const apiError = error instanceof KassaApiError ? error : null;
          return put(id, (r) => ({
            ...r,
            state: 'failed',
            error: {
              code: apiError?.code ?? 'client_error',
              message: error instanceof Error ? error.message : String(error),
              moneyMoved: apiError?.moneyMoved ?? false,
              nextAction: apiError?.nextAction ?? 'contact_support',
            },
          }));
        }
        if (attempt + 1 >= deps.retry.attempts || !deps.online()) {
          // A whole round without an answer: behave as offline until one gets through.
          unreachable = error instanceof KassaNetworkError;
          return put(id, (r) => ({ ...r, state: 'queued_on_device' }));
        }
        await deps.sleep(retryDelayMs(error, attempt, deps.retry, deps.random));
      }
    }
  }

  /**
   * Sends everything unsettled, oldest first, one at a time. One pump runs at a time: a caller
   * arriving while it runs gets the same promise, and the pump goes round once more so that
   * anything stored meanwhile is sent before it resolves.
   */
  function flush(): Promise<OutboxRecord[]> {
    if (pumping !== undefined) {
      again = true;
      return pumping;
    }
    const run = (async () => {
      // Yield first: `pumping` is set before the body runs, and cleared only by this run.
      await Promise.resolve();
      const done: OutboxRecord[] = [];
      try {
        do {
          again = false;
          const queue = Object.values(deps.store.get().records)
            .filter(isUnsettled)
            .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
          for (const record of queue) {
            const settled = await deliver(record.id);
            done.push(settled);
            if (isUnsettled(settled)) return done; // no connection, or signed out: later, in order
          }
        } while (again);
        return done;
      } finally {
        pumping = undefined;
      }
    })();
    pumping = run;
    return run;
  }

  /**
   * Stores a money-moving request, then sends it when online. Offline it stays queued, within
   * the device's offline limit per currency; above it nothing is stored and OfflineLimitError
   * says so.
   */
  async function submit(request: OutboxRequest): Promise<OutboxRecord> {
    const { amount, currency } = request.body;
    if (offline()) {
      const queued = Object.values(deps.store.get().records)
        .filter((r) => isUnsettled(r) && r.body.currency === currency)
        .reduce((sum, r) => sum + r.body.amount, 0);
      if (queued + amount > deps.offlineLimitMinor)
        throw new OfflineLimitError(deps.offlineLimitMinor, queued, currency);
    }
    const record: OutboxRecord = {
      ...request,
      id: deps.newId(),
      idempotencyKey: deps.newId(),
      state: 'queued_on_device',
      createdAt: deps.now().toISOString(),
      attempts: 0,
      outcomeUnknown: false,
      result: null,
      error: null,
    };
    await deps.store.update((s) => ({ ...s, records: { ...s.records, [record.id]: record } }));
    for (const listener of listeners) listener(record);
    // Anything queued earlier goes first: payments leave in the order they were made. After an
    // unanswered round it still tries (the connection may be back); the offline limit above
    // has already applied.
    if (deps.online()) await flush();
    return deps.store.get().records[record.id] ?? record;
  }

  return {
    submit,
    flush,
    list: (): OutboxRecord[] =>
      Object.values(deps.store.get().records).sort((a, b) =>
        b.createdAt.localeCompare(a.createdAt),
      ),
    subscribe(listener: OutboxListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** The device believes it is offline (no connection, or the last attempt got no answer). */
    offline,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
