import type { StoredDevice } from './device-key.ts';
import { isLegacyState, migrateLegacyState } from './legacy-state.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { SdkStorage, StoredSession } from './storage.ts';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
  });
}

const legacyKey = 'legacy-state';
const deviceKey = (owner: string) => `device:${owner}`;

/** Version 2: records in their own store (by id, indexed by owner); keys and session in `keys`. */
function upgrade(request: IDBOpenDBRequest): void {
  const db = request.result;
  const tx = request.transaction;
  if (!db.objectStoreNames.contains('records'))
    db.createObjectStore('records', { keyPath: 'id' }).createIndex('owner', 'owner');
  if (!db.objectStoreNames.contains('keys')) db.createObjectStore('keys');
  if (tx === null || !db.objectStoreNames.contains('state')) return;
  // Version 1 kept everything under one key; it is moved by migrateLegacy (WebCrypto cannot run
  // inside the upgrade transaction).
  const old = tx.objectStore('state').get('state');
  old.onsuccess = () => {
    if (old.result !== undefined) tx.objectStore('keys').put(old.result, legacyKey);
    db.deleteObjectStore('state');
  };
}

/**
 * The browser's storage (pages and service workers, so background sync flushes the same
 * outbox). Each outbox record is its own row, the session and each device key their own entry:
 * a change is one IndexedDB transaction, resolved once committed, so tabs never overwrite each
 * other's records. Keys are non-extractable CryptoKeys (structured-cloned into IndexedDB). Other
 * tabs hear of each change on a BroadcastChannel.
 */
export function indexedDbStorage(
  databaseName = 'kassa-sdk',
  factory: IDBFactory = indexedDB,
): SdkStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const watchers = new Set<() => void>();
  let channel: BroadcastChannel | null | undefined;

  function changes(): BroadcastChannel | null {
    if (channel !== undefined) return channel;
    if (typeof BroadcastChannel === 'undefined') return (channel = null);
    channel = new BroadcastChannel(`kassa-sdk:${databaseName}`);
    // In Node.js (tests), a channel must not keep the process alive.
    (channel as { unref?: () => void }).unref?.();
    channel.onmessage = () => {
      for (const watcher of watchers) watcher();
    };
    return channel;
  }

  function open(): Promise<IDBDatabase> {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(databaseName, 2);
      request.onupgradeneeded = () => upgrade(request);
      request.onsuccess = () => {
        // A newer version in another tab wins: this connection steps aside.
        request.result.onversionchange = () => request.result.close();
        resolve(request.result);
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
    }).then(async (db) => {
      await migrateLegacy(db);
      return db;
    });
    return opened;
  }

  /** Runs `body` in one transaction; resolves with its result once the transaction committed. */
  async function run<T>(
    stores: string[],
    mode: IDBTransactionMode,
    body: (tx: IDBTransaction) => Promise<T>,
    db?: IDBDatabase,
  ): Promise<T> {
    const tx = (db ?? (await open())).transaction(stores, mode, { durability: 'strict' });
    const done = committed(tx);
    let result: T;
    try {
      result = await body(tx);
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already finished: the error below is the one to report.
      }
      await done.catch(() => undefined);
      throw error;
    }
    await done;
    if (mode === 'readwrite') changes()?.postMessage('changed');
    return result;
  }

  async function migrateLegacy(db: IDBDatabase): Promise<void> {
    const keys = (tx: IDBTransaction) => tx.objectStore('keys');
    const legacy: unknown = await run(
      ['keys'],
      'readonly',
      (tx) => promised(keys(tx).get(legacyKey)),
      db,
    );
    if (legacy === undefined) return;
    const moved = isLegacyState(legacy)
      ? await migrateLegacyState(legacy, false)
      : { session: null, device: null, records: [] };
    await run(
      ['keys', 'records'],
      'readwrite',
      async (tx) => {
        // Another tab may have migrated meanwhile; the JWK goes in the same transaction.
        if ((await promised(keys(tx).get(legacyKey))) === undefined) return;
        if (moved.session !== null && (await promised(keys(tx).get('session'))) === undefined)
          keys(tx).put(moved.session, 'session');
        if (moved.device !== null) keys(tx).put(moved.device, deviceKey(moved.device.owner));
        for (const record of moved.records) tx.objectStore('records').put(record);
        keys(tx).delete(legacyKey);
      },
      db,
    );
  }

  const keyStore = (tx: IDBTransaction) => tx.objectStore('keys');
  const recordStore = (tx: IDBTransaction) => tx.objectStore('records');
  const readKey = <T>(key: string) =>
    run(['keys'], 'readonly', (tx) => promised(keyStore(tx).get(key) as IDBRequest<T | undefined>));

  return {
    scope: `indexeddb:${databaseName}`,
    keysExtractable: false,
    readSession: async () => (await readKey<StoredSession>('session')) ?? null,
    writeSession: (session) =>
      run(['keys'], 'readwrite', async (tx) => {
        if (session === null) keyStore(tx).delete('session');
        else keyStore(tx).put(session, 'session');
      }),
    swapSession: (expected, session) =>
      run(['keys'], 'readwrite', async (tx) => {
        const stored = (await promised(keyStore(tx).get('session'))) as StoredSession | undefined;
        if (stored?.refresh_token !== expected) return false;
        if (session === null) keyStore(tx).delete('session');
        else keyStore(tx).put(session, 'session');
        return true;
      }),
    readDevices: () =>
      run(['keys'], 'readonly', async (tx) => {
        const range = IDBKeyRange.bound('device:', 'device:\uffff');
        return (await promised(keyStore(tx).getAll(range))) as StoredDevice[];
      }),
    writeDevice: (owner, device) =>
      run(['keys'], 'readwrite', async (tx) => {
        if (device === null) keyStore(tx).delete(deviceKey(owner));
        else keyStore(tx).put(device, deviceKey(owner));
      }),
    async recordKey(make) {
      const existing = await readKey<CryptoKey>('record-key');
      if (existing !== undefined) return existing;
      const made = await make();
      return run(['keys'], 'readwrite', async (tx) => {
        // Two tabs may both have made one: the first stored wins, for both.
        const raced = (await promised(keyStore(tx).get('record-key'))) as CryptoKey | undefined;
        if (raced !== undefined) return raced;
        keyStore(tx).put(made, 'record-key');
        return made;
      });
    },
    readRecords: () =>
      run(
        ['records'],
        'readonly',
        async (tx) => (await promised(recordStore(tx).getAll())) as OutboxRecord[],
      ),
    insertRecord: (record, admit) =>
      run(['records'], 'readwrite', async (tx) => {
        const owned = (await promised(
          recordStore(tx).index('owner').getAll(record.owner),
        )) as OutboxRecord[];
        if (owned.some((r) => r.id === record.id) || !admit(owned)) return false;
        recordStore(tx).add(record);
        return true;
      }),
    updateRecord: (id, change) =>
      run(['records'], 'readwrite', async (tx) => {
        const stored = (await promised(recordStore(tx).get(id))) as OutboxRecord | undefined;
        if (stored === undefined) return null;
        const next = change(stored);
        recordStore(tx).put(next);
        return next;
      }),
    deleteRecords: (ids) =>
      run(['records'], 'readwrite', async (tx) => {
        for (const id of ids) recordStore(tx).delete(id);
      }),
    watch(listener) {
      changes();
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
  };
}
