/// <reference lib="webworker" />
import { createKassaClient, indexedDbStorage } from '@kassa/sdk';
import { offlineLimitMinor } from '../offline-limit.ts';

/**
 * The app's service worker: the shell (page, script, styles, manifest, icon) is cached so the
 * app opens offline; API calls always go to the network (never cached). Background sync
 * flushes the payment outbox from the same IndexedDB the page uses.
 */
declare const self: ServiceWorkerGlobalScope;

const shell = [
  '/app/',
  '/app/app.js',
  '/app/app.css',
  '/app/manifest.webmanifest',
  '/app/icon.svg',
];
const cacheName = 'kassa-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(shell))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== 'GET' ||
    url.origin !== self.location.origin ||
    !url.pathname.startsWith('/app')
  )
    return;
  // Network first (fresh code when online), the cached shell when offline.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          void caches.open(cacheName).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(
        async () =>
          (await caches.match(event.request)) ?? (await caches.match('/app/')) ?? Response.error(),
      ),
  );
});

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== 'kassa-outbox') return;
  sync.waitUntil(
    createKassaClient({
      baseUrl: self.location.origin,
      storage: indexedDbStorage('kassa-app'),
      online: () => true,
      offlineLimitMinor,
    })
      .then((kassa) => kassa.outbox.flush())
      .then(() => undefined),
  );
});
