import type { App } from '../app.ts';
import { announce, h } from '../dom.ts';
import { errorNotice, loading, withProgress } from '../feedback.ts';
import { formatMoney, parseMoney } from '../money.ts';

interface Card {
  id: string;
  card: { brand: string; last4: string; exp_month: number; exp_year: number };
}
interface TopUp {
  id: string;
  status: string;
  amount: number;
  currency: string;
  failure_code?: string | null;
  next_action?: { type: string; url: string } | null;
}

/** Card entry goes straight to the vault (POST /v1/payment_methods); the app keeps nothing of it. */
function cardForm(app: App, done: () => void): HTMLElement {
  const number = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'cc-number',
    required: true,
  });
  const month = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'cc-exp-month',
    required: true,
    maxlength: 2,
  });
  const year = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'cc-exp-year',
    required: true,
    maxlength: 4,
  });
  const cvc = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'cc-csc',
    required: true,
    maxlength: 4,
  });
  const problem = h('div', {});
  const save = h('button', { type: 'submit' }, 'Save card');
  const form = h(
    'form',
    { 'aria-label': 'Add a card' },
    h('label', {}, 'Card number', number),
    h('label', {}, 'Expiry month (MM)', month),
    h('label', {}, 'Expiry year (YYYY)', year),
    h('label', {}, 'Security code', cvc),
    problem,
    save,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void withProgress(save, 'Saving card…', async () => {
      try {
        await app.kassa.request({
          method: 'POST',
          path: '/v1/payment_methods',
          body: {
            card: {
              number: number.value.replace(/\s+/g, ''),
              exp_month: Number(month.value),
              exp_year: Number(year.value),
              cvc: cvc.value,
            },
          },
          idempotencyKey: crypto.randomUUID(),
        });
        for (const input of [number, month, year, cvc]) input.value = '';
        done();
      } catch (error) {
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  return form;
}

/** Top up from a saved card, with the bank's 3-D Secure step when the card needs it. */
export async function renderTopUp(app: App): Promise<void> {
  app.show('Top up', [loading('Loading your cards…')], { back: '#/home' });
  const [cards, me] = await Promise.all([
    app.kassa.request<{ data: Card[] }>({ method: 'GET', path: '/v1/payment_methods' }),
    app.me ?? app.kassa.me(),
  ]);
  app.me = me;
  const wallet = me.wallets[0];
  if (wallet === undefined) return app.go('#/home');
  if (cards.data.length === 0) {
    app.show(
      'Add a card',
      [
        h('p', {}, 'Add a card to top up your wallet. Card details go straight to Kassa’s vault.'),
        cardForm(app, () => void renderTopUp(app)),
      ],
      { back: '#/home' },
    );
    return;
  }
  const card = h(
    'select',
    { name: 'card' },
    ...cards.data.map((c) => h('option', { value: c.id }, `${c.card.brand} •••• ${c.card.last4}`)),
  );
  const amount = h('input', {
    type: 'text',
    inputmode: 'decimal',
    required: true,
    'aria-describedby': 'topup-hint',
  });
  const hint = h(
    'span',
    { class: 'hint', id: 'topup-hint', 'aria-live': 'polite' },
    `In ${wallet.currency}`,
  );
  const submit = h('button', { type: 'submit' }, 'Top up');
  const result = h('div', {});
  // One key per top-up the person means: a retry after an unclear answer reuses it.
  let key = crypto.randomUUID();
  let keyFor = '';
  const form = h(
    'form',
    {},
    h('label', {}, 'Card', card),
    h('label', {}, 'Amount', amount, hint),
    submit,
  );
  async function charge(minor: number): Promise<void> {
    const intent = `${card.value}:${minor}`;
    if (intent !== keyFor) {
      key = crypto.randomUUID();
      keyFor = intent;
    }
    try {
      const topUp = await app.kassa.request<TopUp>({
        method: 'POST',
        path: '/v1/topups',
        body: { payment_method: card.value, amount: minor, currency: wallet!.currency },
        idempotencyKey: key,
      });
      showTopUp(topUp, minor);
    } catch (error) {
      result.replaceChildren(
        errorNotice(error, [
          {
            label: 'Try again',
            run: () => void withProgress(submit, 'Charging your card…', () => charge(minor)),
          },
        ]),
      );
    }
  }
  function showTopUp(topUp: TopUp, minor: number): void {
    const shown = formatMoney(topUp.amount, topUp.currency);
    if (topUp.status === 'succeeded') {
      announce(`${shown} added`);
      // Finished: the form goes away (a second tap must never charge again); a new top-up
      // starts from an empty form with a new key.
      form.hidden = true;
      amount.value = '';
      keyFor = '';
      const again = h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          on: {
            click: () => {
              result.replaceChildren();
              form.hidden = false;
              amount.focus();
            },
          },
        },
        'Top up again',
      );
      result.replaceChildren(
        h(
          'div',
          { class: 'notice success', role: 'status' },
          h('h2', {}, `${shown} added`),
          h('p', {}, 'Your balance is updated.'),
          h('a', { class: 'button secondary', href: '#/home' }, 'Back to home'),
          again,
        ),
      );
    } else if (topUp.status === 'requires_action' && topUp.next_action) {
      result.replaceChildren(
        h(
          'div',
          { class: 'notice pending', role: 'status' },
          h('h2', {}, 'Confirm with your bank'),
          h('p', {}, 'No money has moved yet. Your bank asks you to confirm this top-up.'),
          h(
            'a',
            { class: 'button', href: topUp.next_action.url, target: '_blank', rel: 'noopener' },
            'Open your bank',
          ),
          h(
            'button',
            { type: 'button', class: 'secondary', on: { click: () => void charge(minor) } },
            'I have confirmed',
          ),
        ),
      );
    } else if (topUp.status === 'failed') {
      result.replaceChildren(
        h(
          'div',
          { class: 'notice error', role: 'alert' },
          h('h2', {}, 'Top-up failed'),
          h('p', {}, `The card was not charged: ${cardFailure(topUp.failure_code)}`),
          h('p', {}, h('strong', {}, 'No money moved.')),
        ),
      );
      keyFor = '';
    } else {
      result.replaceChildren(
        h(
          'div',
          { class: 'notice pending', role: 'status' },
          h('h2', {}, 'Waiting for the card network'),
          h(
            'p',
            {},
            'We do not know yet whether your card was charged. Kassa finishes it and never charges twice.',
          ),
          h(
            'button',
            { type: 'button', class: 'secondary', on: { click: () => void charge(minor) } },
            'Check again',
          ),
        ),
      );
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const minor = parseMoney(amount.value, wallet.currency);
    if (minor === null) {
      amount.setAttribute('aria-invalid', 'true');
      hint.textContent = `Enter an amount like 20.00 (${wallet.currency}).`;
      return;
    }
    void withProgress(submit, 'Charging your card…', () => charge(minor));
  });
  const addAnother = h(
    'details',
    {},
    h('summary', {}, 'Add another card'),
    cardForm(app, () => void renderTopUp(app)),
  );
  app.show('Top up', [form, result, addAnother], { back: '#/home' });
}

/** A processor's refusal in words (never the raw code). */
function cardFailure(code: string | null | undefined): string {
  switch (code) {
    case 'insufficient_funds':
      return 'the card’s account has too little money. Try a smaller amount or another card.';
    case 'expired_card':
      return 'the card has expired. Use another card.';
    case 'incorrect_number':
      return 'the card number was not recognised. Add the card again.';
    case 'processing_error':
    case 'processor_unavailable':
      return 'the card network did not answer. Try again in a moment.';
    case 'authentication_failed':
    case 'authentication_timeout':
      return 'your bank’s confirmation did not complete. Try again and confirm with your bank.';
    case null:
    case undefined:
    default:
      return 'your bank declined it. Try another card or contact your bank.';
  }
}
