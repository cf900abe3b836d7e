import { KassaApiError, KassaNetworkError, OfflineLimitError } from '@kassa/sdk';
import { h } from './dom.ts';

/** What the person should know about money after an error, in words. */
export function moneyMovedText(moneyMoved: boolean | null): string {
  if (moneyMoved === false) return 'No money moved.';
  if (moneyMoved === true) return 'The money moved.';
  return 'We do not know yet whether money moved. Kassa checks again with the same request, so it can only happen once.';
}

export interface NextStep {
  readonly label: string;
  readonly run: () => void;
}

/** A failure panel: what happened, whether money moved, and what to do next. */
export function failureNotice(
  title: string,
  message: string,
  moneyMoved: boolean | null,
  steps: readonly NextStep[] = [],
): HTMLElement {
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('h2', {}, title),
    h('p', {}, message),
    h('p', {}, h('strong', {}, moneyMovedText(moneyMoved))),
    ...steps.map((step) =>
      h('button', { type: 'button', class: 'secondary', on: { click: step.run } }, step.label),
    ),
  );
}

/** An error panel for an exception from the SDK. */
export function errorNotice(error: unknown, steps: readonly NextStep[] = []): HTMLElement {
  const [title, message, moneyMoved] =
    error instanceof KassaApiError
      ? ['That did not work', error.message, error.moneyMoved]
      : error instanceof OfflineLimitError
        ? ['Offline limit reached', error.message, false]
        : error instanceof KassaNetworkError
          ? ['No connection', error.message, null]
          : ['Something went wrong', error instanceof Error ? error.message : String(error), false];
  return failureNotice(title, message, moneyMoved, steps);
}

/** Disables a button and shows progress while `work` runs; the label comes back after. */
export async function withProgress<T>(
  button: HTMLButtonElement,
  busyLabel: string,
  work: () => Promise<T>,
): Promise<T> {
  const label = button.textContent ?? '';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), ` ${busyLabel}`);
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

export function loading(text: string): HTMLElement {
  return h(
    'p',
    { class: 'loading', 'aria-busy': 'true' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    text,
  );
}
