/**
 * The transfer being prepared: what the Send form holds and, once Kassa resolved it, who it
 * goes to. Each step has its own route (#/send, #/send/review); the draft survives Back and a
 * reload (sessionStorage: this tab only, gone when it closes), so nothing is typed twice.
 */
export interface SendDraft {
  readonly to: string;
  /** As typed (the form shows it back). */
  readonly amountText: string;
  /** Minor units, once valid. */
  readonly amount: number | null;
  /** Kassa's answer for `to` (null: not checked, e.g. offline). */
  readonly recipient: { readonly displayName: string; readonly firstPayment: boolean } | null;
}

const key = 'kassa:send-draft';

export function sendDraft(): SendDraft | null {
  try {
    const text = sessionStorage.getItem(key);
    return text === null ? null : (JSON.parse(text) as SendDraft);
  } catch {
    return null;
  }
}

export function saveSendDraft(draft: SendDraft): void {
  sessionStorage.setItem(key, JSON.stringify(draft));
}

export function clearSendDraft(): void {
  sessionStorage.removeItem(key);
}
