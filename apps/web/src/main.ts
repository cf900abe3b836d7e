import { createKassaClient, indexedDbStorage } from '@kassa/sdk';
import { layout, type App } from './app.ts';
import { h } from './dom.ts';
import { withProgress } from './feedback.ts';
import { logOut } from './log-out.ts';
import { formatMoney } from './money.ts';
import { toast } from './toast.ts';
import { signedOutRoute } from './remembered-email.ts';
import { offlineLimitMinor } from './offline-limit.ts';
import { renderHistory, renderReceipt } from './screens/history.ts';
import { renderHome } from './screens/home.ts';
import { openPayLink, renderPay, renderPayReview } from './screens/pay.ts';
import { renderSend, renderSendReview } from './screens/send.ts';
import { renderSettings } from './screens/settings.ts';
import { renderTopUp } from './screens/topup.ts';
import { renderWelcome } from './screens/welcome.ts';

const root = document.getElementById('app');
if (root === null) throw new Error('no #app element');

const kassa = await createKassaClient({
  baseUrl: location.origin,
  storage: indexedDbStorage('kassa-app'),
  offlineLimitMinor,
}).catch((error: unknown) => {
  // Without its storage the app cannot keep payments safe on the phone: say so, do nothing else.
  root.replaceChildren(
    h(
      'main',
      { id: 'main', class: 'screen' },
      h(
        'div',
        { class: 'notice error', role: 'alert' },
        h('h2', {}, 'Kassa cannot start in this browser'),
        h(
          'p',
          {},
          `It needs on-device storage (IndexedDB), which is unavailable here: ${error instanceof Error ? error.message : String(error)}`,
        ),
        h('p', {}, h('strong', {}, 'No money moved.')),
        h('p', {}, 'Try a normal (not private) window, or another browser.'),
      ),
    ),
  );
  throw error;
});

const app: App = {
  kassa,
  me: null,
  go(route) {
    if (location.hash === route) void render();
    else location.hash = route;
  },
  show(title, content, options = {}) {
    document.title = `${title} · Kassa`;
    const next = layout(title, content, { ...options, signedIn: kassa.signedIn() });
    // The same tab bar stays the same element: a tap on it while the screen redraws (home
    // refreshing after a queued payment went out) still lands.
    const oldNav = root.querySelector('nav.tabs');
    const at = next.findIndex((n) => n instanceof HTMLElement && n.matches('nav.tabs'));
    if (oldNav !== null && at >= 0 && oldNav.isEqualNode(next[at] ?? null)) next[at] = oldNav;
    root.replaceChildren(...next);
    const heading = document.getElementById('screen-title');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus({ preventScroll: true });
  },
};

/** Bumped by every navigation: a screen still loading for an older one never draws over it. */
let generation = 0;

async function render(): Promise<void> {
  const [path = '', id] = location.hash.replace(/^#\/?/, '').split('/');
  if (!kassa.signedIn() && path !== 'welcome' && path !== 'login') return app.go(signedOutRoute());
  generation += 1;
  const mine = generation;
  const screenApp: App = {
    kassa,
    get me() {
      return app.me;
    },
    set me(me) {
      app.me = me;
    },
    go: (route) => app.go(route),
    show: (title, content, options) => {
      if (mine === generation) app.show(title, content, options);
    },
  };
  try {
    switch (path) {
      case 'welcome':
        return await renderWelcome(screenApp);
      case 'login':
        return await renderWelcome(screenApp, 'login');
      case 'send':
        return await (id === 'review' ? renderSendReview(screenApp) : renderSend(screenApp));
      case 'pay':
        if (id === 'review') return await renderPayReview(screenApp);
        if (id?.startsWith('link?') === true) return openPayLink(screenApp, id.slice(5));
        return renderPay(screenApp);
      case 'topup':
        return await renderTopUp(screenApp);
      case 'history':
        return await renderHistory(screenApp);
      case 'receipt':
        return await renderReceipt(screenApp, id ?? '');
      case 'settings':
        return await renderSettings(screenApp);
      default:
        return await renderHome(screenApp);
    }
  } catch (error) {
    // The session ended (Kassa revoked it, or another tab logged out): log in again.
    if (!kassa.signedIn()) return app.go(signedOutRoute());
    const logOutButton = h('button', { type: 'button', class: 'secondary' }, 'Log out');
    logOutButton.addEventListener('click', () => {
      void withProgress(logOutButton, 'Logging out…', () => logOut(app));
    });
    screenApp.show('Kassa', [
      h(
        'div',
        { class: 'notice error', role: 'alert' },
        h('h2', {}, 'This screen did not load'),
        h('p', {}, error instanceof Error ? error.message : String(error)),
        h('p', {}, h('strong', {}, 'No money moved.')),
        h('button', { type: 'button', on: { click: () => void render() } }, 'Try again'),
      ),
      // Whatever went wrong, logging out is always possible.
      h('p', {}, logOutButton),
    ]);
  }
}

window.addEventListener('hashchange', () => void render());
// The signed-in user changed (here, in another tab, or Kassa ended the session): nothing of the
// previous user stays on screen.
kassa.onSessionChange(() => {
  app.me = null;
  // Signed out (here, elsewhere, or by Kassa): log in again, the email already filled in.
  if (!kassa.signedIn()) app.go('#/login');
  else if (location.hash !== '#/welcome' && location.hash !== '#/login') void render();
});
// Connectivity changes redraw home (its banner and balance); other screens keep what the person
// is doing, and a payment in flight still shows its outcome.
const onHome = () => ['', '#/', '#/home'].includes(location.hash);
window.addEventListener('online', () => onHome() && void render());
window.addEventListener('offline', () => onHome() && void render());
kassa.watchConnectivity(window);
// Outbox changes (a queued payment sent, say) redraw home, once for a burst of changes (a flush
// of ten payments changes each record twice; home reloads the balance once).
let redrawTimer: ReturnType<typeof setTimeout> | undefined;
/** Records that waited on this phone: when one goes out (or fails), the person is told. */
const waited = new Set<string>();
kassa.outbox.subscribe((record) => {
  if (record.state === 'queued_on_device') {
    waited.add(record.id);
    void requestBackgroundSync();
  } else if (waited.has(record.id) && record.state !== 'processing') {
    waited.delete(record.id);
    const amount = formatMoney(record.body.amount, record.body.currency);
    const to = 'to' in record.body ? ` to ${record.body.to}` : '';
    if (record.state === 'succeeded') toast(`Queued payment sent: ${amount}${to}.`);
    else if (record.state === 'failed')
      toast(`A queued payment did not go through: ${amount}${to}. See Home.`);
  }
  if (!onHome() || redrawTimer !== undefined) return;
  redrawTimer = setTimeout(() => {
    redrawTimer = undefined;
    if (onHome()) void render();
  }, 100);
});

/** Asks the browser to wake the service worker when the connection returns (where supported). */
async function requestBackgroundSync(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
    sync?: { register(tag: string): Promise<void> };
  };
  await registration.sync?.register('kassa-outbox').catch(() => undefined);
}
if ('serviceWorker' in navigator) {
  void navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined);
}
await render();
// After the first screen: another tab may be flushing (one flush at a time across tabs).
await kassa.outbox.flush().catch(() => undefined);
