import { KassaNetworkError, type OutboxRecord, type Wallet } from '@kassa/sdk';
import { statePill, statusText, type App } from '../app.ts';
import { showOutcome } from '../checkout.ts';
import { h } from '../dom.ts';
import { errorNotice, loading, moneyMovedText, withProgress } from '../feedback.ts';
import { formatMoney } from '../money.ts';
import { recipientChips } from '../recipient-chips.ts';
import { addPasskey, passkeyOffered, stopOfferingPasskey } from '../passkey.ts';
import { saveSendDraft } from '../send-draft.ts';
import { freshMe, readThrough } from '../offline-cache.ts';
import { dismissFailure, unseenFailures } from '../failed-payments.ts';

export interface HistoryEntry {
  id: string;
  /** transfer, payment, funding, refund, topup or payout. */
  type: string;
  status: string;
  amount: number;
  currency: string;
  direction: 'debit' | 'credit';
  counterparty: { name: string | null };
  description: string | null;
  created_at: string;
}

export function historyRow(entry: HistoryEntry): HTMLElement {
  const sign = entry.direction === 'credit' ? '+' : '−';
  const label =
    entry.type === 'refund'
      ? `Refund from ${entry.counterparty.name ?? 'merchant'}`
      : (entry.counterparty.name ?? 'Kassa');
  return h(
    'li',
    {},
    h(
      'a',
      { href: `#/receipt/${entry.id}` },
      h(
        'span',
        { class: 'what' },
        h('span', {}, label),
        h(
          'span',
          { class: 'when' },
          `${new Date(entry.created_at).toLocaleString('en')} · ${statusText(entry.status)}`,
        ),
      ),
      h(
        'span',
        { class: entry.direction === 'credit' ? 'in' : 'out' },
        `${sign}${formatMoney(entry.amount, entry.currency)}`,
      ),
    ),
  );
}

/** A record waiting on the person (a code to enter, a hold to understand) opens its screen. */
const actionable = (record: OutboxRecord) =>
  record.state === 'requires_action' || record.state === 'under_review';

export function outboxRow(record: OutboxRecord, app?: App): HTMLElement {
  const to = 'to' in record.body ? record.body.to : 'merchant';
  const why =
    record.state === 'failed' && record.error !== null
      ? h(
          'span',
          { class: 'when' },
          `${record.error.message} ${moneyMovedText(record.error.moneyMoved)}`,
        )
      : null;
  const content = [
    h(
      'span',
      { class: 'what' },
      h('span', {}, `${record.kind === 'payment' ? 'Payment' : 'To'} ${to}`),
      statePill(record.state),
      why,
      app !== undefined && actionable(record)
        ? h(
            'span',
            { class: 'when' },
            record.state === 'requires_action' ? 'Tap to enter your code' : 'Tap to see why',
          )
        : null,
    ),
    h('span', { class: 'out' }, `−${formatMoney(record.body.amount, record.body.currency)}`),
  ];
  return h(
    'li',
    {},
    app !== undefined && actionable(record)
      ? h(
          'button',
          {
            type: 'button',
            class: 'row row-button',
            on: { click: () => showOutcome(app, record) },
          },
          ...content,
        )
      : h('div', { class: 'row' }, ...content),
  );
}

/** Balance, the three main actions, what waits on this phone (pinned), recent activity. */
export async function renderHome(app: App): Promise<void> {
  app.show('Home', [loading('Loading your wallet…')], { tab: '#/home' });
  // Offline, the last balance this phone saw is shown, and marked as such.
  const userId = app.kassa.userId() ?? '';
  const { me, stale } = await freshMe(app);
  const wallet: Wallet | undefined = me.wallets[0];
  const waiting = app.kassa.outbox
    .list()
    .filter((r) => r.state !== 'succeeded' && r.state !== 'failed');
  const history =
    wallet === undefined
      ? { data: [] as HistoryEntry[] }
      : {
          data: (
            await readThrough(app, `home-history:${wallet.id}`, async () =>
              stale
                ? Promise.reject(new KassaNetworkError('offline'))
                : (
                    await app.kassa.request<{ data: HistoryEntry[] }>({
                      method: 'GET',
                      path: `/v1/wallets/${wallet.id}/transactions?limit=8`,
                    })
                  ).data,
            ).catch((error: unknown) => {
              if (!(error instanceof KassaNetworkError)) throw error;
              return { value: [] as HistoryEntry[] };
            })
          ).value,
        };
  const balance =
    wallet === undefined
      ? h('p', { class: 'empty' }, 'No wallet yet.')
      : h(
          'section',
          { class: 'balance', 'aria-label': 'Balance' },
          h('div', { class: 'sub' }, `Hi ${me.name.split(' ')[0] ?? ''}, your balance`),
          h(
            'div',
            { class: 'amount', 'data-testid': 'balance' },
            formatMoney(wallet.balance, wallet.currency),
          ),
          h(
            'div',
            { class: 'sub' },
            stale
              ? 'Last known balance: you are offline'
              : wallet.available === wallet.balance
                ? 'All of it available'
                : `${formatMoney(wallet.available, wallet.currency)} available now`,
          ),
        );
  app.show(
    'Home',
    [
      balance,
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button', href: '#/send' }, 'Send'),
        h('a', { class: 'button', href: '#/pay' }, 'Pay'),
        h('a', { class: 'button secondary', href: '#/topup' }, 'Top up'),
      ),
      ...failureAlerts(app, userId),
      ...passkeyOffer(app),
      ...recentRow(app, userId),
      ...(waiting.length === 0
        ? []
        : [
            h('h2', {}, 'Waiting on this phone'),
            h(
              'ul',
              { class: 'list', 'aria-label': 'Waiting on this phone' },
              ...waiting.map((r) => outboxRow(r, app)),
            ),
          ]),
      h('h2', {}, 'Recent activity'),
      stale && history.data.length === 0
        ? h('p', { class: 'empty' }, 'Recent activity shows again when you are back online.')
        : history.data.length === 0
          ? h('p', { class: 'empty' }, 'No activity yet. Top up or ask a friend to send you money.')
          : h(
              'ul',
              { class: 'list', 'aria-label': 'Recent activity' },
              ...history.data.map(historyRow),
            ),
    ],
    { tab: '#/home' },
  );
}

/** "Send again": the people sent to from this phone; a tap opens Send with them filled in. */
function recentRow(app: App, userId: string): HTMLElement[] {
  const chips = recipientChips(userId, 'Send again', (r) => {
    saveSendDraft({ to: r.to, amountText: '', amount: null, recipient: null });
    app.go('#/send');
  });
  return chips.length === 0 ? [] : [h('h2', {}, 'Send again'), ...chips];
}

/** Once, after sign-up: a passkey makes the next log-in one tap. */
function passkeyOffer(app: App): HTMLElement[] {
  if (!passkeyOffered()) return [];
  const add = h('button', { type: 'button' }, 'Add a passkey');
  const later = h('button', { type: 'button', class: 'secondary' }, 'Not now');
  const card = h(
    'div',
    { class: 'notice', role: 'region', 'aria-label': 'Passkey' },
    h('h2', {}, 'Log in faster next time'),
    h('p', {}, 'A passkey uses your phone’s lock: no password to type, no code to copy.'),
    add,
    later,
  );
  later.addEventListener('click', () => {
    stopOfferingPasskey();
    card.remove();
  });
  add.addEventListener('click', () => {
    void withProgress(add, 'Waiting for your phone…', async () => {
      try {
        await addPasskey(app, `Passkey on ${navigator.platform || 'this phone'}`);
        stopOfferingPasskey();
        card.replaceChildren(
          h('p', { role: 'status' }, 'Passkey added. Next time, log in with it.'),
        );
      } catch (error) {
        card.append(errorNotice(error));
      }
    });
  });
  return [card];
}

/** Queued payments that failed later stay here, with why, until the person dismisses them. */
function failureAlerts(app: App, userId: string): HTMLElement[] {
  return unseenFailures(app.kassa.outbox.list(), userId).map((record) => {
    const amount = formatMoney(record.body.amount, record.body.currency);
    const to = 'to' in record.body ? record.body.to : 'the merchant';
    const card = h(
      'div',
      { class: 'notice error', role: 'alert' },
      h('h2', {}, `${amount} to ${to} did not go through`),
      h('p', {}, record.error?.message ?? 'Kassa refused it.'),
      h('p', {}, h('strong', {}, moneyMovedText(record.error?.moneyMoved ?? false))),
    );
    card.append(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          on: {
            click: () => {
              dismissFailure(userId, record.id);
              card.remove();
            },
          },
        },
        'Dismiss',
      ),
    );
    return card;
  });
}
