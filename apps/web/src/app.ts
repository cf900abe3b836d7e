import type { KassaClient, Me, OutboxRecord } from '@kassa/sdk';
import { h } from './dom.ts';

/** What every screen gets: the SDK client, the signed-in user, navigation and the layout. */
export interface App {
  readonly kassa: KassaClient;
  me: Me | null;
  go(route: string): void;
  /** Replaces the screen; `tab` marks the bottom navigation, `back` adds a back link. */
  show(title: string, content: readonly Node[], options?: { tab?: string; back?: string }): void;
}

const tabs = [
  ['#/home', 'Home'],
  ['#/history', 'History'],
  ['#/pay', 'Pay'],
  ['#/settings', 'Settings'],
] as const;

export function layout(
  title: string,
  content: readonly Node[],
  options: { tab?: string; back?: string; signedIn: boolean },
): Node[] {
  const header = h(
    'header',
    { class: 'top' },
    options.back === undefined ? null : h('a', { href: options.back }, '‹ Back'),
    h('h1', { id: 'screen-title' }, title),
  );
  const banner = navigator.onLine
    ? null
    : h(
        'p',
        { class: 'offline-banner', role: 'status' },
        'Offline: payments wait on this phone until you are back online.',
      );
  const main = h(
    'main',
    { id: 'main', class: 'screen', 'aria-labelledby': 'screen-title' },
    ...content,
  );
  const nav = options.signedIn
    ? h(
        'nav',
        { class: 'tabs', 'aria-label': 'Main' },
        ...tabs.map(([href, label]) =>
          h('a', { href, 'aria-current': options.tab === href ? 'page' : false }, label),
        ),
      )
    : null;
  return [header, ...(banner === null ? [] : [banner]), main, ...(nav === null ? [] : [nav])];
}

const stateLabels: Record<OutboxRecord['state'], string> = {
  queued_on_device: 'Queued on this phone',
  processing: 'Sending…',
  succeeded: 'Paid',
  failed: 'Failed',
  requires_action: 'Needs your code',
  under_review: 'On hold for a check',
};

/** A state pill that says it in words (colour is never the only signal). */
export function statePill(state: OutboxRecord['state']): HTMLElement {
  return h('span', { class: `pill ${state}` }, stateLabels[state]);
}

/** A server status (a transfer's, a payment's, a top-up's…) in words, never the raw code. */
const statusWords: Record<string, string> = {
  succeeded: 'Done',
  processing: 'In progress',
  pending: 'In progress',
  requires_action: 'Needs your confirmation',
  requires_capture: 'Authorized',
  under_review: 'On hold for a check',
  outcome_unknown: 'Being confirmed',
  canceled: 'Canceled',
  failed: 'Failed',
  refunded: 'Refunded',
};

export function statusText(status: string): string {
  return statusWords[status] ?? 'In progress';
}
