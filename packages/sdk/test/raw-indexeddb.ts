/**
 * Direct access to the SDK's IndexedDB database, as someone editing the browser's storage
 * would have it (fake-indexeddb in Node): no SDK code involved.
 */
function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

async function withStore<T>(
  databaseName: string,
  store: string,
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await promised(indexedDB.open(databaseName));
  try {
    const tx = db.transaction(store, mode);
    const result = await promised(body(tx.objectStore(store)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    });
    return result;
  } finally {
    db.close();
  }
}

export const rawRecords = (databaseName: string) =>
  withStore(databaseName, 'records', 'readonly', (s) => s.getAll()) as Promise<
    Record<string, unknown>[]
  >;

export const putRawRecord = (databaseName: string, record: Record<string, unknown>) =>
  withStore(databaseName, 'records', 'readwrite', (s) => s.put(record));

/** Every entry of the `keys` store (session, device keys, the record key), by key. */
export async function rawKeys(databaseName: string): Promise<Map<string, unknown>> {
  const keys = (await withStore(databaseName, 'keys', 'readonly', (s) =>
    s.getAllKeys(),
  )) as string[];
  const values = await withStore(databaseName, 'keys', 'readonly', (s) => s.getAll());
  return new Map(keys.map((key, i) => [key, values[i]]));
}

export const putRawKey = (databaseName: string, key: string, value: unknown) =>
  withStore(databaseName, 'keys', 'readwrite', (s) => s.put(value, key));
