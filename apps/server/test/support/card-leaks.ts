/**
 * Every way a leaked card number could appear in text: plain, grouped by spaces, dashes, dots,
 * slashes, no-break, zero-width or repeated spaces, in full-width digits, base64 and hex; then
 * the further written forms of `moreLeakForms`. A form with characters JSON escapes (line
 * breaks, tabs) is also given as JSON writes it: tables are scanned as `row_to_json` and logs
 * are JSON lines, where a raw line break never appears.
 */
export function leakForms(digits: string): string[] {
  const groups = digits.match(/.{1,4}/g) ?? [];
  const fullWidth = [...digits].map((d) => String.fromCodePoint(0xff10 + Number(d))).join('');
  const forms = [
    digits,
    groups.join(' '),
    groups.join('-'),
    groups.join('.'),
    groups.join('/'),
    groups.join('  '),
    groups.join('\u00a0'),
    groups.join('\u200b'),
    fullWidth,
    Buffer.from(digits).toString('base64'),
    Buffer.from(digits).toString('hex'),
    ...moreLeakForms(digits).map((form) => form.text),
  ];
  const asJson = forms.map((form) => JSON.stringify(form).slice(1, -1));
  return [...forms, ...asJson.filter((form, i) => form !== forms[i])];
}

/** Each digit written with the digit characters of another block (`zero`: the code of 0). */
function inDigits(digits: string, zero: number): string {
  return [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('');
}

const superscripts = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
const circled = ['⓪', '①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨'];

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/**
 * Written forms of a card number a person (or a careless integration) may send in free text,
 * each named: the ones card-data-masking.ts reads as digits (spaces, line breaks, indentation,
 * emoji, `=` or `$` between the groups; keycaps, superscripts, circled, accented, other
 * scripts' digits) and the encodings it undoes (base32, split base64, HTML entities, `\u`
 * escapes, quoted-printable, URL escapes).
 */
export function moreLeakForms(digits: string): { name: string; text: string }[] {
  const groups = digits.match(/.{1,4}/g) ?? [];
  const chars = [...digits];
  const ascii = Buffer.from(digits);
  const hex = (d: string) => (d.codePointAt(0) ?? 0).toString(16);
  return [
    { name: 'line breaks', text: groups.join('\n') },
    { name: 'CRLF line breaks', text: groups.join('\r\n') },
    { name: 'indented lines', text: groups.join('\n    ') },
    { name: 'tabs', text: groups.join('\t') },
    { name: 'one space between every digit', text: chars.join(' ') },
    { name: 'emoji separators', text: groups.join(' 💳 ') },
    { name: 'emoji separators, no spaces', text: groups.join('🙂') },
    { name: 'equals separators', text: groups.join('=') },
    { name: 'dollar separators', text: groups.join('$') },
    { name: 'keycaps', text: chars.map((d) => `${d}\ufe0f\u20e3`).join('') },
    { name: 'superscripts', text: chars.map((d) => superscripts[Number(d)]).join('') },
    { name: 'circled digits', text: chars.map((d) => circled[Number(d)]).join('') },
    { name: 'combining accents', text: chars.map((d) => `${d}\u0301`).join('') },
    // More marks or invisible characters than may stand between two digits as separators:
    // read only if they are skipped, as the masking documents.
    {
      name: 'twenty stacked accents on each digit',
      text: chars.map((d) => `${d}${'\u0301\u0300'.repeat(10)}`).join(''),
    },
    { name: 'twenty zero-width spaces between groups', text: groups.join('\u200b'.repeat(20)) },
    { name: 'Arabic-Indic digits', text: inDigits(digits, 0x0660) },
    { name: 'Devanagari digits', text: inDigits(digits, 0x0966) },
    { name: 'base32', text: base32(ascii) },
    {
      name: 'base64 split by spaces',
      text: (ascii.toString('base64').match(/.{1,4}/g) ?? []).join(' '),
    },
    { name: 'HTML decimal entities', text: chars.map((d) => `&#${d.codePointAt(0)};`).join('') },
    { name: 'HTML hex entities', text: chars.map((d) => `&#x${hex(d)};`).join('') },
    { name: '\\u escapes', text: chars.map((d) => `\\u00${hex(d)}`).join('') },
    { name: 'quoted-printable', text: chars.map((d) => `=${hex(d).toUpperCase()}`).join('') },
    { name: 'URL escapes', text: chars.map((d) => `%${hex(d)}`).join('') },
  ];
}
