import type { StoredDevice } from './device-key.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { SdkStorage, StoredSession } from './storage.ts';

/** Everything the SDK stores, as one document (memory and file storage). */
export interface SdkDocument {
  readonly session: StoredSession | null;
  /** Device keys by owner (user id). */
  readonly devices: Readonly<Record<string, StoredDevice>>;
  readonly recordKey: CryptoKey | null;
  readonly records: Readonly<Record<string, OutboxRecord>>;
}

export const emptyDocument: SdkDocument = {
  session: null,
  devices: {},
  recordKey: null,
  records: {},
};

/**
 * SdkStorage over one in-process document: each change is made on a copy, persisted, then
 * becomes the document, one change at a time, so a change is atomic and never half applied.
 * Shared by memoryStorage and fileStorage; `persist` makes a change durable.
 */
export function documentStorage(options: {
  readonly scope: string;
  readonly keysExtractable: boolean;
  readonly load: () => Promise<SdkDocument>;
  readonly persist: (document: SdkDocument) => Promise<void>;
}): SdkStorage {
  let loading: Promise<SdkDocument> | undefined;
  let current: SdkDocument | undefined;
  const document = async () => (current ??= await (loading ??= options.load()));
  let writing: Promise<unknown> = Promise.resolve();
  const watchers = new Set<() => void>();

  /** Applies `change` to a copy, persists it, then keeps it; one write at a time, in order. */
  function write<T>(change: (draft: SdkDocument) => Promise<[SdkDocument, T]>): Promise<T> {
    const run = async () => {
      const [next, result] = await change(structuredClone(await document()));
      await options.persist(next);
      current = next;
      for (const watcher of watchers) watcher();
      return result;
    };
    const next = writing.then(run, run);
    writing = next.catch(() => undefined);
    return next;
  }
  const copy = async <T>(read: (d: SdkDocument) => T): Promise<T> =>
    structuredClone(read(await document()));

  return {
    scope: options.scope,
    keysExtractable: options.keysExtractable,
    readSession: () => copy((d) => d.session),
    writeSession: (session) => write(async (d) => [{ ...d, session }, undefined]),
    swapSession: (expected, session) =>
      write(async (d) =>
        d.session?.refresh_token === expected ? [{ ...d, session }, true] : [d, false],
      ),
    readDevices: () => copy((d) => Object.values(d.devices)),
    writeDevice: (owner, device) =>
      write(async (d) => {
        const devices = Object.fromEntries(
          Object.entries(d.devices).filter(([stored]) => stored !== owner),
        );
        if (device !== null) devices[owner] = device;
        return [{ ...d, devices }, undefined];
      }),
    async recordKey(make) {
      const existing = (await document()).recordKey;
      if (existing !== null) return existing;
      return write(async (d) => {
        if (d.recordKey !== null) return [d, d.recordKey];
        const key = await make();
        return [{ ...d, recordKey: key }, key];
      });
    },
    readRecords: () => copy((d) => Object.values(d.records)),
    insertRecord: (record, admit) =>
      write(async (d) => {
        const owned = Object.values(d.records).filter((r) => r.owner === record.owner);
        if (record.id in d.records || !admit(owned)) return [d, false];
        return [{ ...d, records: { ...d.records, [record.id]: structuredClone(record) } }, true];
      }),
    updateRecord: (id, change) =>
      write(async (d) => {
        const stored = d.records[id];
        if (stored === undefined) return [d, null];
        const next = structuredClone(change(stored));
        return [{ ...d, records: { ...d.records, [id]: next } }, structuredClone(next)];
      }),
    deleteRecords: (ids) =>
      write(async (d) => {
        const records = { ...d.records };
        for (const id of ids) delete records[id];
        return [{ ...d, records }, undefined];
      }),
    watch(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
  };
}
