import { h } from './dom.ts';
import { recentRecipients, type RecentRecipient } from './recent-recipients.ts';

/**
 * The user's recent recipients as one-tap buttons (their masked name, else what was typed),
 * in a labelled group; none when there are none.
 */
export function recipientChips(
  userId: string,
  label: string,
  pick: (recipient: RecentRecipient) => void,
): HTMLElement[] {
  const recents = recentRecipients(userId);
  if (recents.length === 0) return [];
  return [
    h(
      'div',
      { class: 'chips', role: 'group', 'aria-label': label },
      ...recents.map((r) =>
        h(
          'button',
          { type: 'button', class: 'chip', on: { click: () => pick(r) } },
          r.name ?? r.to,
        ),
      ),
    ),
  ];
}
