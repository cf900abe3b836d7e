/**
 * An abort signal that fires when `parent` does or after `ms`. Not `AbortSignal.any([parent,
 * AbortSignal.timeout(ms)])`: in Node 20 `any` holds its sources weakly, so once the timeout
 * signal is garbage-collected it never fires and the request it guards hangs. Call `dispose()`
 * when the work is done (it clears the timer and the listener on `parent`).
 */
export function timeoutSignal(
  parent: AbortSignal | null,
  ms: number,
): { readonly signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted === true) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
