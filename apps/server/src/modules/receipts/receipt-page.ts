import { formatMoney, isCurrency } from '../../kernel/money.ts';
import type { Receipt } from './receipt.ts';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const titles: Record<Receipt['type'], string> = {
  payment: 'Payment receipt',
  transfer: 'Transfer receipt',
  refund: 'Refund receipt',
  topup: 'Top-up receipt',
};

/** A printable page (A4 or a phone screen); every value is escaped. */
export function receiptPage(r: Receipt): string {
  const money = (minor: number | null) =>
    minor === null || !isCurrency(r.currency)
      ? null
      : formatMoney({ amountMinor: BigInt(minor), currency: r.currency });
  const rows: [string, string | null][] = [
    ['Reference', r.reference],
    ['Date', new Date(r.created_at).toUTCString()],
    ['From', r.from.name],
    ['To', r.to.name],
    ['Amount', r.amount_display],
    ['Fee', money(r.fee)],
    ['Net to merchant', money(r.net)],
    [
      'Refunded',
      r.amount_refunded === null || r.amount_refunded === 0 ? null : money(r.amount_refunded),
    ],
    ['Refund of', r.refunded_payment],
    ['Description', r.description],
    ['Status', r.status],
    ['Id', r.id],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(titles[r.type])} ${escape(r.reference)}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.3rem}table{width:100%;border-collapse:collapse}td{padding:.4rem 0;border-bottom:1px solid #ddd}
td:last-child{text-align:right;font-variant-numeric:tabular-nums}.total{font-size:1.6rem;font-weight:600}
@media print{button{display:none}}
</style></head><body>
<h1>Kassa · ${escape(titles[r.type])}</h1>
<p class="total">${escape(r.amount_display)}</p>
<table>${rows
    .filter((row): row is [string, string] => row[1] !== null)
    .map(([label, value]) => `<tr><td>${escape(label)}</td><td>${escape(value)}</td></tr>`)
    .join('')}</table>
<p><button onclick="print()">Print</button></p>
</body></html>`;
}
