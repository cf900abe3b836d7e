import assert from 'node:assert/strict';
import { once } from 'node:events';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { timeoutSignal } from './timeout-signal.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

it('fires after its time even when a garbage collection ran meanwhile (AbortSignal.any does not)', async () => {
  const parent = new AbortController();
  const deadline = timeoutSignal(parent.signal, 100);
  gc();
  await once(deadline.signal, 'abort');
  assert.equal(deadline.timedOut(), true);
  assert.equal((deadline.signal.reason as Error).name, 'TimeoutError');
  deadline.dispose();
});

it('fires when the parent aborts, and not as a timeout', () => {
  const parent = new AbortController();
  const deadline = timeoutSignal(parent.signal, 60_000);
  parent.abort(new Error('closing'));
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.timedOut(), false);
  deadline.dispose();
  const already = timeoutSignal(parent.signal, 60_000);
  assert.equal(already.signal.aborted, true, 'a parent aborted before');
  already.dispose();
});
