import type { App } from '../app.ts';
import { announce, h } from '../dom.ts';
import { errorNotice, withProgress } from '../feedback.ts';

/**
 * After a log-in: another account's payments still wait on this phone. They are never sent
 * from this account; the person keeps them for that account (the default) or discards them.
 */
export function renderHeldPayments(app: App, count: number, next: () => Promise<void>): void {
  const problem = h('div', {});
  const keep = h('button', { type: 'button' }, 'Keep them for that account');
  const discard = h('button', { type: 'button', class: 'secondary' }, 'Discard them');
  keep.addEventListener('click', () => void withProgress(keep, 'Continuing…', next));
  discard.addEventListener('click', () => {
    void withProgress(discard, 'Discarding…', async () => {
      try {
        await app.kassa.outbox.discardOthers();
        announce('Payments from the other account discarded');
        await next();
      } catch (error) {
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  const payments = count === 1 ? '1 payment' : `${count} payments`;
  app.show('Payments from another account', [
    h(
      'div',
      { class: 'notice pending', role: 'status' },
      h(
        'p',
        {},
        `${payments} made on this phone by another account ${count === 1 ? 'has' : 'have'} not been sent yet.`,
      ),
      h(
        'p',
        {},
        'They are never sent from your account. Kept, they are sent when that account logs in here again. Discarded, they are never sent: no money moves.',
      ),
    ),
    problem,
    h('p', {}, keep),
    h('p', {}, discard),
  ]);
}
