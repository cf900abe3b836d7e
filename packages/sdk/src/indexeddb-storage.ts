import { emptyState, type SdkState, type SdkStorage } from './storage.ts';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * The browser's storage: one IndexedDB object store, the state under one key, each save a
 * transaction that resolves on `complete` (the browser has committed it). Works in pages and
 * service workers, so background sync can flush the same outbox.
 */
export function indexedDbStorage(
  databaseName = 'kassa-sdk',
  factory: IDBFactory = indexedDB,
): SdkStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const open = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('state');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
    });
    return opened;
  };
  return {
    async load() {
      const db = await open();
      const stored = await promised(
        db.transaction('state', 'readonly').objectStore('state').get('state') as IDBRequest<
          SdkState | undefined
        >,
      );
      return stored ?? emptyState;
    },
    async save(state) {
      const db = await open();
      const tx = db.transaction('state', 'readwrite', { durability: 'strict' });
      tx.objectStore('state').put(state, 'state');
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
      });
    },
  };
}
