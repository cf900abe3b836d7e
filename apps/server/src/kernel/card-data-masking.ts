import { luhnValid } from './luhn.ts';

/**
 * Finds card numbers in free text and masks them (PCI DSS 3.3/3.4: at most the first six and
 * last four digits are shown). The text is read the way a person would read it:
 * - a digit is any character that stands for one: ASCII, full-width, any script's decimal
 *   digits, superscript and circled digits; accents and other combining marks on it (a keycap
 *   `4️⃣`), and invisible format characters (a zero-width space), are skipped;
 * - up to sixteen characters that are neither letters nor digits may stand between two digits:
 *   any spaces, tabs and line breaks, punctuation, `=`, `$`, emoji…
 * A run of 13 or more such digits holding a Luhn-valid 13–19-digit window is masked. Encoded
 * forms are decoded and read again: base64 (also split by spaces), base32, hex, HTML entities,
 * JSON `\u` escapes, quoted-printable and URL escapes; a card number found only in one of them
 * removes the whole text. False positives only cost a masked digit string.
 */
export function maskCardNumbers(text: string): string {
  const tokens = text.replace(/[A-Za-z0-9+/_-]{16,}={0,2}/g, (token) =>
    encodedCardNumber(token) ? removed : token,
  );
  const runs = digitRuns(tokens).filter((run) => holdsCardNumber(run.values));
  let masked = tokens;
  if (runs.length > 0) {
    const chars = [...tokens];
    for (const run of runs) {
      const keep = new Set([...run.positions.slice(0, 6), ...run.positions.slice(-4)]);
      for (const position of run.positions) if (!keep.has(position)) chars[position] = '*';
    }
    masked = chars.join('');
  }
  return decodedViews(masked).some(holdsCardNumberAnywhere) ? removed : masked;
}

const removed = '[card data removed]';

/** True when the text holds a card number in any of the forms `maskCardNumbers` finds. */
export function containsCardNumber(text: string): boolean {
  return maskCardNumbers(text) !== text;
}

/**
 * True when a JSON number is written with a card number's digits: 13–19 digits (the sign and a
 * decimal point ignored) passing Luhn.
 */
export function isCardLikeNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const digits = Math.abs(value).toString().replace('.', '');
  return /^[1-9][0-9]{12,18}$/.test(digits) && luhnValid(digits);
}

function holdsCardNumber(digits: string): boolean {
  if (digits.length < 13) return false;
  for (let length = 13; length <= 19; length += 1) {
    for (let start = 0; start + length <= digits.length; start += 1) {
      const window = digits.slice(start, start + length);
      if (window[0] !== '0' && luhnValid(window)) return true;
    }
  }
  return false;
}

function holdsCardNumberAnywhere(text: string): boolean {
  return digitRuns(text).some((run) => holdsCardNumber(run.values));
}

/** Characters that may stand between the digits of one number, and how many in a row. */
const separator = /^[^\p{L}\p{N}]$/u;
const separatorsMax = 16;
/** Marks and invisible format characters: skipped, as if they were not there. */
const ignorable = /^[\p{M}\p{Cf}]$/u;

interface DigitRun {
  /** The digits' values, as ASCII. */
  readonly values: string;
  /** Where each digit is in the text (indexes of code points). */
  readonly positions: number[];
}

/** Runs of digits joined by at most `separatorsMax` separators each. */
function digitRuns(text: string): DigitRun[] {
  const runs: DigitRun[] = [];
  let current: { values: string; positions: number[] } | null = null;
  let gap = 0;
  [...text].forEach((char, position) => {
    if (ignorable.test(char)) return;
    const value = digitValue(char);
    if (value !== null) {
      if (current === null) {
        current = { values: '', positions: [] };
        runs.push(current);
      }
      current.values += value;
      current.positions.push(position);
      gap = 0;
    } else if (current !== null && separator.test(char) && gap < separatorsMax) {
      gap += 1;
    } else {
      current = null;
      gap = 0;
    }
  });
  return runs;
}

const digitValues = new Map<number, string | null>();

/** The value of a character that stands for one decimal digit, or null. */
function digitValue(char: string): string | null {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x30 && code <= 0x39) return char;
  if (code < 0x80) return null;
  const known = digitValues.get(code);
  if (known !== undefined) return known;
  let value: string | null = null;
  if (/^\p{Nd}$/u.test(char)) {
    // Unicode encodes each script's digits as contiguous runs of 0–9: the value is the
    // distance from the start of the run, modulo 10.
    let start = code;
    while (/^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start -= 1;
    value = String((code - start) % 10);
  } else if (/^\p{N}$/u.test(char)) {
    // Superscript, subscript, circled, parenthesized and "digit full stop" forms: their
    // compatibility form is the digit (with its brackets or stop, dropped here).
    const plain = char.normalize('NFKC').replace(/[().,]/g, '');
    value = /^[0-9]$/.test(plain) ? plain : (dingbatDigit(code) ?? null);
  }
  digitValues.set(code, value);
  return value;
}

/**
 * Digit dingbats with no compatibility form: ❶–❾, ➀–➈, ➊–➒, ⓵–⓽ (each run 1–9), ⓿ and the
 * sans-serif circled zeros.
 */
function dingbatDigit(code: number): string | undefined {
  for (const start of [0x2776, 0x2780, 0x278a, 0x24f5])
    if (code >= start && code < start + 9) return String(code - start + 1);
  if (code === 0x24ff || code === 0x1f10b || code === 0x1f10c) return '0';
  return undefined;
}

/** The text as it reads once common encodings are undone (only the ones present). */
function decodedViews(text: string): string[] {
  const views: string[] = [];
  if (/&#/.test(text))
    views.push(
      text.replace(/&#(x[0-9a-f]+|[0-9]+);?/gi, (_m, n: string) =>
        safeChar(n[0] === 'x' || n[0] === 'X' ? parseInt(n.slice(1), 16) : parseInt(n, 10)),
      ),
    );
  if (/\\u[0-9a-f]{4}/i.test(text))
    views.push(text.replace(/\\u([0-9a-f]{4})/gi, (_m, h: string) => safeChar(parseInt(h, 16))));
  if (/=[0-9a-f]{2}/i.test(text))
    views.push(text.replace(/=([0-9a-f]{2})/gi, (_m, h: string) => safeChar(parseInt(h, 16))));
  if (/%[0-9a-f]{2}/i.test(text))
    views.push(text.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => safeChar(parseInt(h, 16))));
  // base64 split into groups by spaces: the groups joined.
  const joined = text.replace(/([A-Za-z0-9+/]{4,})\s+(?=[A-Za-z0-9+/]{4,})/g, '$1');
  if (joined !== text)
    for (const token of joined.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? [])
      views.push(...decodings(token));
  return views;
}

function safeChar(code: number): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/** A base64, base32 or hex token whose decoding holds a card number. */
function encodedCardNumber(token: string): boolean {
  return decodings(token).some(holdsCardNumberAnywhere);
}

function decodings(token: string): string[] {
  const out: string[] = [];
  if (/^[0-9a-fA-F]+$/.test(token) && token.length % 2 === 0)
    out.push(Buffer.from(token, 'hex').toString('utf8'));
  out.push(Buffer.from(token, 'base64').toString('utf8'));
  if (/^[A-Z2-7]+=*$/i.test(token)) out.push(base32Decode(token));
  return out;
}

function base32Decode(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of token.toUpperCase().replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Masks card numbers in every string (and key) of a JSON value, except the fields in `exempt`
 * (dotted paths such as `card.number`, which the vault itself needs, or passwords, which are only
 * hashed). Returns a new value; the input is not changed.
 */
export function maskCardNumbersDeep(
  value: unknown,
  exempt: ReadonlySet<string>,
  path = '',
): unknown {
  if (typeof value === 'string') return exempt.has(path) ? value : maskCardNumbers(value);
  if (Array.isArray(value))
    return value.map((item, i) =>
      maskCardNumbersDeep(item, exempt, path === '' ? String(i) : `${path}.${i}`),
    );
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      out[maskCardNumbers(key)] = maskCardNumbersDeep(item, exempt, childPath);
    }
    return out;
  }
  return value;
}
