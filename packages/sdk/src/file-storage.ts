import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { emptyState, type SdkState, type SdkStorage } from './storage.ts';

/**
 * Node.js storage: the state as one JSON file, replaced atomically (write a temporary file,
 * fsync it, rename it over the old one), so a crash at any moment leaves the old or the new
 * state, never half of one. Saves are serialized.
 */
export function fileStorage(path: string): SdkStorage {
  let writing: Promise<void> = Promise.resolve();
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as SdkState;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState;
        throw error;
      }
    },
    save(state) {
      const write = async () => {
        const temporary = `${path}.${process.pid}.tmp`;
        const fd = openSync(temporary, 'w', 0o600);
        try {
          writeSync(fd, JSON.stringify(state));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        await rename(temporary, path);
      };
      writing = writing.then(write, write);
      return writing;
    },
  };
}
