import { currentMe, readThrough } from '../offline-cache.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { loading } from '../feedback.ts';
import { historyRow, outboxRow, type HistoryEntry } from './home.ts';

interface Receipt {
  reference: string;
  type: string;
  amount_display: string;
  fee: number | null;
  currency: string;
  from: { name: string };
  to: { name: string };
  description: string | null;
  created_at: string;
}

/** Everything in and out, newest first, with what still waits on this phone on top. */
export async function renderHistory(app: App): Promise<void> {
  app.show('History', [loading('Loading your history…')], { tab: '#/history' });
  const me = await currentMe(app);
  const wallet = me.wallets[0];
  const page =
    wallet === undefined
      ? { value: [] as HistoryEntry[], asOf: null }
      : await readThrough(
          app,
          `history:${wallet.id}`,
          async () =>
            (
              await app.kassa.request<{ data: HistoryEntry[] }>({
                method: 'GET',
                path: `/v1/wallets/${wallet.id}/transactions?limit=50`,
              })
            ).data,
        );
  const entries = page.value;
  const device = app.kassa.outbox.list().filter((r) => r.state !== 'succeeded');
  app.show(
    'History',
    [
      ...(page.asOf === null
        ? []
        : [
            h(
              'p',
              { class: 'notice pending', role: 'status' },
              `You are offline: this is your history as of ${page.asOf.toLocaleString('en')}.`,
            ),
          ]),
      ...(device.length === 0
        ? []
        : [
            h('h2', {}, 'On this phone'),
            h('ul', { class: 'list' }, ...device.map((r) => outboxRow(r, app))),
          ]),
      entries.length === 0
        ? h('p', { class: 'empty' }, 'Nothing here yet.')
        : h('ul', { class: 'list', 'aria-label': 'History' }, ...entries.map(historyRow)),
    ],
    { tab: '#/history' },
  );
}

/** A receipt, printable. */
export async function renderReceipt(app: App, id: string): Promise<void> {
  app.show('Receipt', [loading('Loading the receipt…')], { back: '#/history' });
  const r = await app.kassa.request<Receipt>({
    method: 'GET',
    path: `/v1/receipts/${encodeURIComponent(id)}`,
  });
  app.show(
    'Receipt',
    [
      h('p', { class: 'balance' }, h('span', { class: 'amount' }, r.amount_display)),
      h(
        'dl',
        { class: 'review' },
        h('dt', {}, 'Reference'),
        h('dd', { class: 'mono' }, r.reference),
        h('dt', {}, 'From'),
        h('dd', {}, r.from.name),
        h('dt', {}, 'To'),
        h('dd', {}, r.to.name),
        h('dt', {}, 'Type'),
        h('dd', {}, typeText(r.type)),
        h('dt', {}, 'When'),
        h('dd', {}, new Date(r.created_at).toLocaleString('en')),
        ...(r.description === null ? [] : [h('dt', {}, 'Note'), h('dd', {}, r.description)]),
      ),
      h(
        'p',
        { class: 'no-print' },
        h(
          'button',
          { type: 'button', class: 'secondary', on: { click: () => window.print() } },
          'Print',
        ),
      ),
    ],
    { back: '#/history' },
  );
}

/** A receipt's type in words. */
function typeText(type: string): string {
  const words: Record<string, string> = {
    transfer: 'Transfer',
    payment: 'Payment to a merchant',
    refund: 'Refund',
    topup: 'Top-up',
    top_up: 'Top-up',
    payout: 'Payout to a bank',
    funding: 'Credit from Kassa',
  };
  return words[type] ?? 'Payment';
}
