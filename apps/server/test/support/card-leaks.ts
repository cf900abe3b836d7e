/** Every way a leaked card number could appear in text: plain, spaced, dashed, base64, hex. */
export function leakForms(digits: string): string[] {
  const groups = digits.match(/.{1,4}/g) ?? [];
  return [
    digits,
    groups.join(' '),
    groups.join('-'),
    Buffer.from(digits).toString('base64'),
    Buffer.from(digits).toString('hex'),
  ];
}
