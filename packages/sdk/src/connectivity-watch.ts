import type { Outbox } from './outbox.ts';

/**
 * Flushes the outbox whenever the connection may be back: on `online`, when the app comes to
 * the foreground, and every `everyMs` while something waits; returns a function that stops it.
 */
export function watchConnectivity(
  outbox: Pick<Outbox, 'flush' | 'list'>,
  target: EventTarget,
  everyMs: number,
): () => void {
  const flush = () => void outbox.flush().catch(() => undefined);
  const timer = setInterval(() => {
    if (outbox.list().some((r) => r.state === 'queued_on_device')) flush();
  }, everyMs);
  const visible = () => {
    const page = (globalThis as { document?: { visibilityState: string } }).document;
    if (page === undefined || page.visibilityState === 'visible') flush();
  };
  target.addEventListener('online', flush);
  target.addEventListener('visibilitychange', visible);
  return () => {
    clearInterval(timer);
    target.removeEventListener('online', flush);
    target.removeEventListener('visibilitychange', visible);
  };
}
