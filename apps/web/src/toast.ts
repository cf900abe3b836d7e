import { h } from './dom.ts';

/**
 * A short message over the screen that does not take the person anywhere ("$10.00 sent to Bo"):
 * a status region, so screen readers say it too; it goes after a few seconds or on a tap.
 */
export function toast(text: string): void {
  document.getElementById('toast')?.remove();
  const box = h('div', { id: 'toast', class: 'toast', role: 'status' }, text);
  box.addEventListener('click', () => box.remove());
  document.body.append(box);
  setTimeout(() => box.remove(), 6_000);
}
