import type { Lock } from './cross-tab-lock.ts';
import { KassaApiError, KassaNetworkError, OfflineLimitError, signedOutError } from './errors.ts';
import { checkBeforeSend, outboxRefusals, type OutboxRefusal } from './outbox-guard.ts';
import {
  byCreation,
  isOutboxRecord,
  isUnsettled,
  type OutboxRecord,
  type OutboxRequest,
} from './outbox-record.ts';
import { recordMac } from './record-mac.ts';
import { isRetryable, retryDelayMs, type RetryPolicy } from './retry.ts';
import type { SdkStorage } from './storage.ts';
import type { Payment, Transfer } from './types.ts';

export interface OutboxDeps {
  readonly storage: SdkStorage;
  /** Shared by tabs: one flush at a time across them. */
  readonly lock: Lock;
  /** The signed-in user: only their records are listed, queued and sent. */
  readonly owner: () => string | null;
  /** The key that seals records (record-mac.ts). */
  readonly recordKey: () => Promise<CryptoKey>;
  /** Sends one attempt of a checked record to its allow-listed route (same key every time). */
  readonly send: (record: OutboxRecord, route: string) => Promise<Transfer | Payment>;
  readonly retry: RetryPolicy;
  /** Most a user may have queued (unconfirmed) per currency on this device, in minor units. */
  readonly offlineLimitMinor: number;
  readonly online: () => boolean;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type OutboxListener = (record: OutboxRecord) => void;

/** What waits unconfirmed for `owner` in `currency`, in minor units. */
function waitingMinor(records: readonly OutboxRecord[], owner: string, currency: string): number {
  return records
    .filter((r) => isOutboxRecord(r) && r.owner === owner && isUnsettled(r))
    .filter((r) => r.body.currency === currency)
    .reduce((sum, r) => sum + (Number.isSafeInteger(r.body.amount) ? r.body.amount : 0), 0);
}

function settle(result: Transfer | Payment): Pick<OutboxRecord, 'state' | 'result' | 'error'> {
  const state =
    result.status === 'requires_action'
      ? 'requires_action'
      : result.status === 'under_review'
        ? 'under_review'
        : result.status === 'failed' || result.status === 'canceled'
          ? 'failed'
          : 'succeeded';
  return { state, result, error: null };
}

/**
 * Money-moving requests go through this outbox: each is sealed (a MAC of what was reviewed) and
 * stored with its idempotency key before the first send, then sent (now, or when the connection
 * returns) by one tab at a time, checked again just before, retried with backoff and jitter on
 * anything that may succeed later, always with the same key, so Kassa applies it once. Records
 * belong to the user who made them and are only sent with that user's session.
 */
export function createOutbox(deps: OutboxDeps) {
  const listeners = new Set<OutboxListener>();
  /** The records last seen, for synchronous reads (`list`); storage stays the truth. */
  const seen = new Map<string, OutboxRecord>();
  let pumping: Promise<OutboxRecord[]> | undefined;
  let again = false;
  /** The last attempt got no answer: the device behaves as offline until one gets through. */
  let unreachable = false;

  const offline = () => unreachable || !deps.online();

  function remember(record: OutboxRecord): OutboxRecord {
    seen.set(record.id, record);
    for (const listener of listeners) listener(record);
    return record;
  }

  async function put(id: string, change: (r: OutboxRecord) => OutboxRecord): Promise<OutboxRecord> {
    const record = await deps.storage.updateRecord(id, change);
    if (record === null) throw new Error(`outbox record ${id} vanished`);
    return remember(record);
  }

  /** Fails a record the device will not send: nothing was sent this time. */
  function refuse(id: string, refusal: OutboxRefusal): Promise<OutboxRecord> {
    return put(id, (r) => ({
      ...r,
      state: 'failed',
      error: {
        code: refusal,
        message: outboxRefusals[refusal],
        // An earlier attempt that got no answer may have reached Kassa: then nobody knows.
        moneyMoved: r.outcomeUnknown === true ? null : false,
        nextAction: 'fix_request',
      },
    }));
  }

  function failure(error: unknown): NonNullable<OutboxRecord['error']> {
    const apiError = error instanceof KassaApiError ? error : null;
    return {
      code: apiError?.code ?? 'client_error',
      message: error instanceof Error ? error.message : String(error),
      moneyMoved: apiError?.moneyMoved ?? false,
      nextAction: apiError?.nextAction ?? 'contact_support',
    };
  }

  /** Checks, then sends one record until Kassa answers for certain or this round is used up. */
  async function deliver(id: string, owner: string): Promise<OutboxRecord> {
    const record = await put(id, (r) =>
      r.owner === owner && isUnsettled(r) ? { ...r, state: 'processing' } : r,
    );
    if (record.owner !== owner || record.state !== 'processing') return record;
    const owned = (await deps.storage.readRecords()).filter(
      (r) => isOutboxRecord(r) && r.owner === owner,
    );
    const check = await checkBeforeSend(record, owned, {
      key: await deps.recordKey(),
      offlineLimitMinor: deps.offlineLimitMinor,
    });
    if (!check.send) return refuse(id, check.refusal);
    // Every attempt sends this checked copy, never one read again from storage.
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await deps.send(record, check.route);
        unreachable = false;
        return await put(id, (r) => ({
          ...r,
          ...settle(result),
          attempts: r.attempts + 1,
          outcomeUnknown: false,
        }));
      } catch (error) {
        await put(id, (r) => ({
          ...r,
          attempts: r.attempts + 1,
          outcomeUnknown: r.outcomeUnknown || error instanceof KassaNetworkError,
        }));
        if (
          error instanceof KassaApiError &&
          error.status === 401 &&
          error.code !== 'invalid_device_signature'
        ) {
          // Signed out: keep it queued for the owner's next log-in; never call it failed.
          return put(id, (r) => ({ ...r, state: 'queued_on_device' }));
        }
        if (!isRetryable(error))
          return put(id, (r) => ({ ...r, state: 'failed', error: failure(error) }));
        if (attempt + 1 >= deps.retry.attempts || !deps.online()) {
          // A whole round without an answer: behave as offline until one gets through.
          unreachable = error instanceof KassaNetworkError;
          return put(id, (r) => ({ ...r, state: 'queued_on_device' }));
        }
        await deps.sleep(retryDelayMs(error, attempt, deps.retry, deps.random));
      }
    }
  }

  /** The signed-in user's oldest unsettled record not yet tried in this flush, from storage. */
  async function nextFor(owner: string, tried: ReadonlySet<string>): Promise<OutboxRecord | null> {
    const waiting = (await deps.storage.readRecords())
      .filter((r) => isOutboxRecord(r) && r.owner === owner && isUnsettled(r) && !tried.has(r.id))
      .sort(byCreation);
    return waiting[0] ?? null;
  }

  async function pump(): Promise<OutboxRecord[]> {
    const done: OutboxRecord[] = [];
    const owner = deps.owner();
    if (owner === null) return done;
    const tried = new Set<string>();
    do {
      again = false;
      for (
        let next = await nextFor(owner, tried);
        next !== null;
        next = await nextFor(owner, tried)
      ) {
        tried.add(next.id);
        const settled = await deliver(next.id, owner);
        done.push(settled);
        if (isUnsettled(settled)) return done; // no connection, or signed out: later, in order
      }
    } while (again);
    return done;
  }

  /**
   * Sends the signed-in user's unsettled records, oldest first, one at a time, re-reading
   * storage after each (records queued meanwhile, in any tab, go too). One flush runs at a time
   * across tabs (a lock); a caller arriving while this tab flushes gets the same promise.
   */
  function flush(): Promise<OutboxRecord[]> {
    if (pumping !== undefined) {
      again = true;
      return pumping;
    }
    const run = (async () => {
      // Yield first: `pumping` is set before the body runs, and cleared only by this run.
      await Promise.resolve();
      try {
        return await deps.lock('outbox', pump);
      } finally {
        pumping = undefined;
      }
    })();
    pumping = run;
    return run;
  }

  /**
   * Seals and stores a money-moving request of the signed-in user, then sends it when online.
   * Offline it stays queued, within the offline limit per currency (checked in the same storage
   * transaction as the insert, so two tabs cannot both pass it); above it nothing is stored and
   * OfflineLimitError says so.
   */
  async function submit(request: OutboxRequest): Promise<OutboxRecord> {
    const owner = deps.owner();
    if (owner === null) throw signedOutError();
    const { amount, currency } = request.body;
    const queuedOffline = offline();
    const unsealed = {
      ...request,
      id: deps.newId(),
      owner,
      idempotencyKey: deps.newId(),
      createdAt: deps.now().toISOString(),
      queuedOffline,
    };
    const record: OutboxRecord = {
      ...unsealed,
      mac: await recordMac(await deps.recordKey(), unsealed),
      state: 'queued_on_device',
      attempts: 0,
      outcomeUnknown: false,
      result: null,
      error: null,
    };
    const stored = await deps.storage.insertRecord(
      record,
      (owned) =>
        !queuedOffline || waitingMinor(owned, owner, currency) + amount <= deps.offlineLimitMinor,
    );
    if (!stored) {
      const queued = waitingMinor(await deps.storage.readRecords(), owner, currency);
      throw new OfflineLimitError(deps.offlineLimitMinor, queued, currency);
    }
    remember(record);
    // Anything queued earlier goes first: payments leave in the order they were made. After an
    // unanswered round it still tries (the connection may be back); the offline limit above
    // has already applied.
    if (deps.online()) await flush();
    return seen.get(record.id) ?? record;
  }

  const mine = () => [...seen.values()].filter((r) => r.owner === deps.owner());
  const others = () => [...seen.values()].filter((r) => r.owner !== deps.owner() && isUnsettled(r));

  return {
    submit,
    flush,
    /** The signed-in user's records on this device, newest first. */
    list: (): OutboxRecord[] => mine().sort((a, b) => byCreation(b, a)),
    /** Records other users queued on this device and that are not sent yet (never sent now). */
    othersWaiting: (): number => others().length,
    /** Deletes other users' unsent records (the person chose to); answers how many. */
    async discardOthers(): Promise<number> {
      const owner = deps.owner();
      const ids = (await deps.storage.readRecords())
        .filter((r) => isOutboxRecord(r) && r.owner !== owner && isUnsettled(r))
        .map((r) => r.id);
      await deps.storage.deleteRecords(ids);
      for (const id of ids) seen.delete(id);
      return ids.length;
    },
    /** Reads storage again (another tab changed it); listeners hear of every changed record. */
    async reload(): Promise<void> {
      const stored = (await deps.storage.readRecords()).filter(isOutboxRecord);
      const ids = new Set(stored.map((r) => r.id));
      for (const id of seen.keys()) if (!ids.has(id)) seen.delete(id);
      for (const record of stored)
        if (JSON.stringify(seen.get(record.id)) !== JSON.stringify(record)) remember(record);
    },
    subscribe(listener: OutboxListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** The device believes it is offline (no connection, or the last attempt got no answer). */
    offline,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
