import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import { createKassaClient } from '../src/index.ts';
import { fileStorage } from '../src/file-storage.ts';
import { signedInClient, startListeningSystem } from './support.ts';

let t: TestSystem;
let baseUrl: string;
const stateFile = join(tmpdir(), `kassa-sdk-${randomUUID()}.json`);
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(async () => {
  rmSync(stateFile, { force: true });
  await t.close();
});

/** Runs the device process to its SIGKILL; resolves with what it printed. */
function runDevice(args: string[]): Promise<{ stdout: string; signal: string | null }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'offline-device.ts'), ...args],
      (error, stdout) =>
        resolve({ stdout, signal: (error as { signal?: string } | null)?.signal ?? null }),
    );
  });
}

it('payments queued offline survive the app being killed, and are sent exactly once after the restart', async () => {
  const bob = await signedInClient(t, baseUrl, {}, 0);
  // The device signs in online (its session lands in the state file) ...
  const device = await signedInClient(t, baseUrl, { storage: fileStorage(stateFile) });
  // ... then, offline, a process queues two payments and is killed.
  const run = await runDevice([baseUrl, stateFile, bob.email, '1200', '800']);
  assert.equal(run.signal, 'SIGKILL');
  const printed = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; state: string });
  assert.deepEqual(
    printed.map((p) => p.state),
    ['queued_on_device', 'queued_on_device'],
  );
  assert.equal((await bob.client.wallet(bob.walletId)).balance, 0, 'nothing sent while offline');

  // The app starts again with the connection back.
  const restarted = await createKassaClient({ baseUrl, storage: fileStorage(stateFile) });
  assert.deepEqual(
    restarted.outbox
      .list()
      .map((r) => r.id)
      .sort(),
    printed.map((p) => p.id).sort(),
  );
  const flushed = await restarted.outbox.flush();
  assert.deepEqual(
    flushed.map((r) => [r.state, r.body.amount]),
    [
      ['succeeded', 1200],
      ['succeeded', 800],
    ],
    'sent in the order they were made',
  );
  assert.deepEqual(await restarted.outbox.flush(), []);
  assert.equal((await bob.client.wallet(bob.walletId)).balance, 2_000);
  assert.equal((await device.client.wallet(device.walletId)).balance, 100_000 - 2_000);
});
