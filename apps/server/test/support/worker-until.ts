import { setTimeout as sleep } from 'node:timers/promises';
import type { System } from '../../src/main/system.ts';

/**
 * Runs the worker's jobs until `done` holds. The relay reads the outbox only below the
 * cluster's oldest running transaction, so other test files' transactions can hold an event
 * back for a moment: a test waits for the condition, never for one pass or a fixed time.
 */
export async function runWorkerUntil(
  system: System,
  done: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const worker = system.startWorker(3_600_000);
  const started = performance.now();
  try {
    for (;;) {
      await worker.runOnce();
      if (await done()) return;
      if (performance.now() - started > timeoutMs)
        throw new Error(`${what}: not within ${timeoutMs} ms of worker passes`);
      await sleep(50);
    }
  } finally {
    await worker.stop();
  }
}
