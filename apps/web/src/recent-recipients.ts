/**
 * The people a user sent money to from this phone, newest first (five at most), so a returning
 * user sends again from Home in a tap. Kept per user in localStorage: what they typed (`to`)
 * and the masked display name Kassa resolved it to.
 */
export interface RecentRecipient {
  readonly to: string;
  readonly name: string | null;
}

const keyOf = (userId: string) => `kassa:recent-recipients:${userId}`;
const kept = 5;

export function recentRecipients(userId: string): RecentRecipient[] {
  try {
    const list = JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]') as unknown;
    return Array.isArray(list)
      ? list.filter(
          (r): r is RecentRecipient =>
            typeof r === 'object' && r !== null && typeof (r as RecentRecipient).to === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

export function rememberRecipient(userId: string, recipient: RecentRecipient): void {
  const rest = recentRecipients(userId).filter(
    (r) => r.to.toLowerCase() !== recipient.to.toLowerCase(),
  );
  localStorage.setItem(keyOf(userId), JSON.stringify([recipient, ...rest].slice(0, kept)));
}

export function forgetRecipients(userId: string): void {
  localStorage.removeItem(keyOf(userId));
}
