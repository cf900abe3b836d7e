import { luhnValid } from './card-number.ts';

/**
 * Finds card numbers in free text and masks them (PCI DSS 3.3/3.4: at most the first six and
 * last four digits are shown). A card number here is 13–19 digits, optionally grouped by spaces
 * or dashes, passing Luhn, starting 3–6 (the major brands). Base64 and hex tokens that decode to
 * text holding a card number are masked whole. False positives only cost a masked digit string.
 */
export function maskCardNumbers(text: string): string {
  const decoded = text.replace(/[A-Za-z0-9+/_-]{16,}={0,2}/g, (token) =>
    decodesToCardNumber(token) ? '[card data removed]' : token,
  );
  return decoded.replace(/[0-9](?:[0-9]|[ -](?=[0-9])){11,}[0-9]?/g, (run) =>
    containsCardNumber(run) ? maskRun(run) : run,
  );
}

export function containsCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (!/^[0-9]+$/.test(digits) || digits.length < 13) return false;
  for (let length = 13; length <= 19; length += 1) {
    for (let start = 0; start + length <= digits.length; start += 1) {
      const window = digits.slice(start, start + length);
      if (/^[3-6]/.test(window) && luhnValid(window)) return true;
    }
  }
  return false;
}

function maskRun(run: string): string {
  const digitPositions = [...run].flatMap((char, i) => (/[0-9]/.test(char) ? [i] : []));
  const keep = new Set([...digitPositions.slice(0, 6), ...digitPositions.slice(-4)]);
  return [...run].map((char, i) => (/[0-9]/.test(char) && !keep.has(i) ? '*' : char)).join('');
}

function decodesToCardNumber(token: string): boolean {
  const candidates: string[] = [];
  if (/^[0-9a-fA-F]+$/.test(token) && token.length % 2 === 0)
    candidates.push(Buffer.from(token, 'hex').toString('latin1'));
  candidates.push(Buffer.from(token, 'base64').toString('latin1'));
  return candidates.some((decoded) =>
    (decoded.match(/[0-9][0-9 -]{11,}[0-9]/g) ?? []).some(containsCardNumber),
  );
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
