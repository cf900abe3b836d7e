import { currentMe } from '../offline-cache.ts';
import { KassaApiError, KassaNetworkError } from '@kassa/sdk';
import type { App } from '../app.ts';
import { showReview } from '../checkout.ts';
import { h } from '../dom.ts';
import { loading, withProgress } from '../feedback.ts';
import { formatMoney, parseMoney } from '../money.ts';
import { recipientChips } from '../recipient-chips.ts';
import { rememberRecipient } from '../recent-recipients.ts';
import { clearSendDraft, saveSendDraft, sendDraft, type SendDraft } from '../send-draft.ts';

interface Lookup {
  display_name: string;
  first_payment: boolean;
}

/**
 * Send money, step 1 (#/send): who and how much. The recipient is resolved here, before the
 * review, so a wrong address is said at its field with what was typed kept; recent recipients
 * are one tap away. Step 2 is #/send/review.
 */
export async function renderSend(app: App): Promise<void> {
  app.show('Send money', [loading('Loading your balance…')], { back: '#/home' });
  const me = await currentMe(app);
  const wallet = me.wallets[0];
  if (wallet === undefined) return app.go('#/home');
  const draft = sendDraft();
  const to = h('input', {
    type: 'text',
    name: 'to',
    autocomplete: 'email',
    required: true,
    'aria-describedby': 'to-hint',
    value: draft?.to ?? '',
  });
  const toHint = h(
    'span',
    { class: 'hint', id: 'to-hint', 'aria-live': 'polite' },
    'Their email, or a usr_… or wal_… id',
  );
  const amount = h('input', {
    type: 'text',
    name: 'amount',
    inputmode: 'decimal',
    required: true,
    'aria-describedby': 'amount-hint',
    value: draft?.amountText ?? '',
  });
  const amountHint = h(
    'p',
    { class: 'hint', id: 'amount-hint', 'aria-live': 'polite' },
    `In ${wallet.currency}, e.g. 12.50 · ${formatMoney(wallet.available, wallet.currency)} available`,
  );
  const review = h('button', { type: 'submit' }, 'Review');
  const form = h(
    'form',
    {},
    h('label', {}, 'To', to, toHint),
    ...recipientChips(app.kassa.userId() ?? '', 'Recent recipients', (r) => {
      to.value = r.to;
      amount.focus();
    }),
    h('label', {}, 'Amount', amount, amountHint),
    review,
  );
  const fieldError = (input: HTMLInputElement, hint: HTMLElement, message: string) => {
    input.setAttribute('aria-invalid', 'true');
    hint.textContent = message;
    input.focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const input of [to, amount]) input.removeAttribute('aria-invalid');
    const recipient = to.value.trim();
    const minor = parseMoney(amount.value, wallet.currency);
    if (recipient === '') return fieldError(to, toHint, 'Enter their email or Kassa id.');
    if (minor === null)
      return fieldError(amount, amountHint, `Enter an amount like 12.50 (${wallet.currency}).`);
    const next: SendDraft = {
      to: recipient,
      amountText: amount.value,
      amount: minor,
      recipient: null,
    };
    saveSendDraft(next);
    void withProgress(review, 'Finding them…', async () => {
      try {
        const found = await app.kassa.request<Lookup>({
          method: 'POST',
          path: '/v1/recipients/lookup',
          body: { to: recipient, currency: wallet.currency },
        });
        saveSendDraft({
          ...next,
          recipient: { displayName: found.display_name, firstPayment: found.first_payment },
        });
      } catch (error) {
        // Offline the payment can still wait on the phone: it is checked when it is sent.
        if (!(error instanceof KassaNetworkError)) {
          const message =
            error instanceof KassaApiError && error.param !== 'currency'
              ? error.message
              : error instanceof Error
                ? error.message
                : String(error);
          return fieldError(to, toHint, message);
        }
      }
      app.go('#/send/review');
    });
  });
  app.show('Send money', [form], { back: '#/home' });
  if (draft === null) to.focus();
  else amount.focus();
}

/** Send money, step 2 (#/send/review): who (as Kassa knows them), how much, balance after. */
export async function renderSendReview(app: App): Promise<void> {
  const draft = sendDraft();
  if (draft === null || draft.amount === null) return app.go('#/send');
  const amount = draft.amount;
  const me = await currentMe(app);
  const wallet = me.wallets[0];
  if (wallet === undefined) return app.go('#/home');
  const userId = app.kassa.userId() ?? '';
  showReview(app, {
    title: 'Review transfer',
    verb: 'Send',
    back: '#/send',
    recipient: draft.recipient?.displayName ?? draft.to,
    recipientDetail:
      draft.recipient === null
        ? 'Not checked yet: Kassa checks who this is when it is sent.'
        : `${draft.to}${draft.recipient.firstPayment ? ' · First payment to this person' : ''}`,
    amount,
    currency: wallet.currency,
    fee: 0,
    balance: wallet.available,
    submit: async () => {
      const record = await app.kassa.send({ to: draft.to, amount, currency: wallet.currency });
      // A refused payment keeps its form: the fix is one tap away, nothing is retyped.
      if (record.state !== 'failed') clearSendDraft();
      rememberRecipient(userId, { to: draft.to, name: draft.recipient?.displayName ?? null });
      return record;
    },
  });
}
