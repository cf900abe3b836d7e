import type { OutboxRecord } from '@kassa/sdk';
import { statePill, type App } from './app.ts';
import { announce, h } from './dom.ts';
import { KassaApiError } from '@kassa/sdk';
import { errorNotice, failureNotice, withProgress, type NextStep } from './feedback.ts';
import { identityText } from './merchant-identity.ts';
import { formatMoney } from './money.ts';
import { toast } from './toast.ts';

export interface Review {
  readonly title: string;
  /** The confirm button's verb, followed by the amount. */
  readonly verb: 'Send' | 'Pay';
  readonly back: string;
  readonly recipient: string;
  /** A line under the recipient (what was typed, a first payment, not checked yet). */
  readonly recipientDetail?: string;
  /** For a merchant: the legal name the operator verified (null: not verified). */
  readonly verifiedName?: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly fee: number;
  readonly feeNote?: string;
  readonly balance: number;
  /** Stores the payment in the outbox and sends it (or queues it offline). */
  readonly submit: () => Promise<OutboxRecord>;
}

/** The review step: recipient, amount, fee, balance after; the button states the amount. */
export function showReview(app: App, review: Review): void {
  const after = review.balance - review.amount;
  const problem = h('div', {});
  const confirm = h(
    'button',
    { type: 'button', 'data-testid': 'confirm' },
    `${review.verb} ${formatMoney(review.amount, review.currency)}`,
  );
  confirm.addEventListener('click', () => {
    void withProgress(
      confirm,
      navigator.onLine ? 'Sending…' : 'Queuing on this phone…',
      async () => {
        try {
          showOutcome(app, await review.submit(), review.recipient);
        } catch (error) {
          const code = error instanceof KassaApiError ? error.code : null;
          problem.replaceChildren(errorNotice(error, fixesFor(app, code, review.back)));
        }
      },
    );
  });
  app.show(
    review.title,
    [
      h(
        'dl',
        { class: 'review' },
        h('dt', {}, 'To'),
        h(
          'dd',
          {},
          review.recipient,
          review.recipientDetail === undefined
            ? null
            : h(
                'span',
                { class: 'hint', 'data-testid': 'recipient-detail' },
                review.recipientDetail,
              ),
          review.verifiedName === undefined
            ? null
            : h(
                'span',
                {
                  class: `identity ${review.verifiedName === null ? 'unverified' : 'verified'}`,
                  'data-testid': 'merchant-identity',
                },
                identityText(review.verifiedName),
              ),
        ),
        h('dt', {}, 'Amount'),
        h('dd', {}, formatMoney(review.amount, review.currency)),
        h('dt', {}, 'Fee'),
        h('dd', {}, `${formatMoney(review.fee, review.currency)}${review.feeNote ?? ''}`),
        h('dt', {}, 'Balance after'),
        h('dd', {}, formatMoney(after, review.currency)),
      ),
      ...(after < 0
        ? [
            h(
              'div',
              { class: 'notice error', role: 'alert' },
              h('p', {}, 'This is more than your balance.'),
              h('a', { class: 'button secondary', href: '#/topup' }, 'Top up first'),
            ),
          ]
        : []),
      problem,
      h('p', {}, confirm),
    ],
    { back: review.back },
  );
}

/** The result: paid, queued on this phone (not paid yet), needs 2FA, or failed and why. */
export function showOutcome(app: App, record: OutboxRecord, payee?: string): void {
  const amount = formatMoney(record.body.amount, record.body.currency);
  const who = payee ?? ('to' in record.body ? record.body.to : null);
  const home = h('a', { class: 'button secondary', href: '#/home' }, 'Back to home');
  let content: Node[];
  switch (record.state) {
    case 'succeeded':
      content = [
        h(
          'div',
          { class: 'notice success celebrate', role: 'status' },
          h('span', { class: 'tick', 'aria-hidden': 'true' }, '✓'),
          h('h2', {}, who === null ? `${amount} sent` : `${amount} sent to ${who}`),
          h('p', {}, 'Done. The money has moved.'),
        ),
        h(
          'p',
          {},
          h('a', { class: 'button', href: `#/receipt/${record.result?.id ?? ''}` }, 'View receipt'),
        ),
        shareReceipt(record, who === null ? amount : `${amount} to ${who}`),
        home,
      ];
      break;
    case 'queued_on_device':
    case 'processing':
      content = [
        h(
          'div',
          { class: 'notice pending', role: 'status' },
          h('h2', {}, 'Queued on this phone'),
          statePill(record.state),
          h(
            'p',
            {},
            `${amount} has not been paid yet. It is sent automatically when you are back online, exactly once.`,
          ),
        ),
        home,
      ];
      break;
    case 'under_review':
      content = [
        h(
          'div',
          { class: 'notice pending', role: 'status' },
          h('h2', {}, 'On hold for a quick check'),
          h(
            'p',
            {},
            `${amount} is reserved in your wallet but not sent yet. Our team checks it, usually within a day; you get a notification either way. If it is declined, the money stays yours.`,
          ),
          ...riskReasons(record),
        ),
        home,
      ];
      break;
    case 'requires_action': {
      const code = h('input', {
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        required: true,
      });
      const verify = h('button', { type: 'submit' }, `Verify and send ${amount}`);
      const problem = h('div', {});
      const form = h('form', {}, h('label', {}, 'Code from your authenticator app', code), verify);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void withProgress(verify, 'Verifying…', async () => {
          try {
            await app.kassa.confirm(record, code.value.trim());
            showOutcome(app, { ...record, state: 'succeeded' });
          } catch (error) {
            problem.replaceChildren(errorNotice(error));
          }
        });
      });
      content = [
        h(
          'div',
          { class: 'notice pending', role: 'status' },
          h('h2', {}, 'Confirm with 2FA'),
          h('p', {}, `No money has moved yet. Enter a code to send ${amount}.`),
        ),
        problem,
        form,
      ];
      break;
    }
    case 'failed':
      content = [
        failureNotice(
          'Not sent',
          record.error?.message ?? 'The payment failed.',
          record.error?.moneyMoved ?? false,
          fixesFor(
            app,
            record.error?.code ?? null,
            record.kind === 'transfer' ? '#/send' : '#/pay',
          ),
        ),
        home,
      ];
      break;
  }
  const [title, said] =
    record.state === 'succeeded'
      ? ['Done', `${amount} sent`]
      : record.state === 'failed'
        ? ['Not sent', 'Payment failed']
        : record.state === 'under_review'
          ? ['On hold', `${amount} on hold for a check`]
          : ['Pending', 'Payment queued'];
  announce(said);
  app.show(title, content);
}

/** Why the risk check held or questioned a payment, in the payer's words (none: nothing). */
function riskReasons(record: OutboxRecord): HTMLElement[] {
  const reasons = record.result?.risk?.reasons ?? [];
  if (reasons.length === 0) return [];
  return [
    h('p', {}, 'What we noticed:'),
    h('ul', { class: 'reasons' }, ...reasons.map((r) => h('li', {}, r.message))),
  ];
}

/** The buttons that fix a refusal, by its real reason (and always a way back to the form). */
function fixesFor(app: App, code: string | null, back: string): NextStep[] {
  const edit = { label: 'Change the details', run: () => app.go(back) };
  switch (code) {
    case 'insufficient_funds':
      return [{ label: 'Top up', run: () => app.go('#/topup') }, edit];
    case 'two_factor_required':
    case 'new_factor_cooling_off':
      return [{ label: 'Turn on two-step verification', run: () => app.go('#/settings') }, edit];
    case 'recipient_not_found':
    case 'recipient_is_sender':
      return [{ label: 'Change the recipient', run: () => app.go(back) }];
    case null:
    default:
      return [edit];
  }
}

/** Share the receipt (the phone's share sheet), or copy its link where there is none. */
function shareReceipt(record: OutboxRecord, what: string): HTMLElement {
  const url = `${location.origin}/app/#/receipt/${record.result?.id ?? ''}`;
  const button = h('button', { type: 'button', class: 'secondary' }, 'Share receipt');
  button.addEventListener('click', () => {
    const text = `Kassa receipt: ${what}`;
    if (typeof navigator.share === 'function')
      void navigator.share({ title: 'Kassa receipt', text, url }).catch(() => undefined);
    else
      void navigator.clipboard
        .writeText(`${text} ${url}`)
        .then(() => toast('Receipt link copied.'))
        .catch(() => toast(url));
  });
  return h('p', {}, button);
}
