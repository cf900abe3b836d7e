import type { App } from '../app.ts';
import { showReview } from '../checkout.ts';
import { h } from '../dom.ts';
import { loading } from '../feedback.ts';
import { parseMoney } from '../money.ts';

/** Send money: recipient and amount → review → confirm (three taps from home). */
export async function renderSend(app: App): Promise<void> {
  app.show('Send money', [loading('Loading your balance…')], { back: '#/home' });
  const me = app.me ?? (await app.kassa.me());
  app.me = me;
  const wallet = me.wallets[0];
  if (wallet === undefined) return app.go('#/home');
  const to = h('input', {
    type: 'text',
    name: 'to',
    autocomplete: 'email',
    required: true,
    'aria-describedby': 'to-hint',
  });
  const amount = h('input', {
    type: 'text',
    name: 'amount',
    inputmode: 'decimal',
    required: true,
    'aria-describedby': 'amount-hint',
  });
  const problem = h(
    'p',
    { class: 'hint', id: 'amount-hint', 'aria-live': 'polite' },
    `In ${wallet.currency}, e.g. 12.50`,
  );
  const form = h(
    'form',
    {},
    h(
      'label',
      {},
      'To',
      to,
      h('span', { class: 'hint', id: 'to-hint' }, 'Their email, or a usr_… or wal_… id'),
    ),
    h('label', {}, 'Amount', amount, problem),
    h('button', { type: 'submit' }, 'Review'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const minor = parseMoney(amount.value, wallet.currency);
    if (minor === null) {
      amount.setAttribute('aria-invalid', 'true');
      problem.textContent = `Enter an amount like 12.50 (${wallet.currency}).`;
      amount.focus();
      return;
    }
    const recipient = to.value.trim();
    showReview(app, {
      title: 'Review transfer',
      verb: 'Send',
      back: '#/send',
      recipient,
      amount: minor,
      currency: wallet.currency,
      fee: 0,
      balance: wallet.available,
      submit: () => app.kassa.send({ to: recipient, amount: minor, currency: wallet.currency }),
    });
  });
  app.show('Send money', [form], { back: '#/home' });
  to.focus();
}
