import { documentStorage, emptyDocument } from './document-storage.ts';
import type { SdkStorage } from './storage.ts';

/**
 * Keeps nothing across restarts: tests and server-side scripts. Keys stay non-extractable. Clients
 * sharing one memoryStorage behave like tabs sharing one IndexedDB (same locks, change notices).
 */
export function memoryStorage(): SdkStorage {
  return documentStorage({
    scope: `memory:${crypto.randomUUID()}`,
    keysExtractable: false,
    load: async () => emptyDocument,
    persist: async () => undefined,
  });
}
