import { isCardLikeNumber } from '../modules/vault/index.ts';

/** Deeper than any request of the API (ledger batches are 4 levels): refused, not walked. */
export const nestingDepthMax = 32;

export interface InputProblem {
  readonly code: 'invalid_json' | 'invalid_request' | 'invalid_amount';
  readonly param: string;
  readonly message: string;
}

// A NUL cannot be stored in PostgreSQL text; a lone surrogate is not Unicode text at all.
const loneSurrogate = /\p{Cs}/u;

function textProblem(text: string, param: string, what: string): InputProblem | null {
  if (text.includes('\u0000'))
    return {
      code: 'invalid_request',
      param,
      message: `The ${what} contains a NUL character. Send text without control characters.`,
    };
  if (loneSurrogate.test(text))
    return {
      code: 'invalid_request',
      param,
      message: `The ${what} is not valid Unicode text (it holds an unpaired surrogate).`,
    };
  return null;
}

function numberProblem(value: number, param: string): InputProblem | null {
  const code = /(^|\.)amount$/.test(param) ? 'invalid_amount' : 'invalid_request';
  if (Number.isInteger(value) && !Number.isSafeInteger(value))
    return {
      code,
      param,
      message: 'Whole numbers above 9007199254740991 lose precision in JSON and are not accepted.',
    };
  if (isCardLikeNumber(value))
    return {
      code,
      param,
      message: 'This number looks like a card number. Card numbers go only in the card form.',
    };
  return null;
}

/**
 * The first reason a parsed request part (body, query, path parameters) cannot be taken as it
 * is, or null: nesting deeper than `nestingDepthMax`, a NUL or an unpaired surrogate in any
 * string or key, a whole number past 2^53 − 1, or a JSON number that is a card number. Checked
 * before anything reads the request, so bad text never reaches a ledger batch (where it would
 * fail the whole batch) or PostgreSQL's error log. Walks with an explicit stack: a body nested
 * 10,000 deep costs no recursion.
 */
export function inputProblem(value: unknown, where: string): InputProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const param = item.path === '' ? where : item.path;
    if (typeof item.value === 'string') {
      const problem = textProblem(item.value, param, item.path === '' ? where : 'field');
      if (problem !== null) return problem;
      continue;
    }
    if (typeof item.value === 'number') {
      const problem = numberProblem(item.value, param);
      if (problem !== null) return problem;
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= nestingDepthMax)
      return {
        code: 'invalid_json',
        param: where,
        message: `The ${where} is nested more than ${nestingDepthMax} levels deep.`,
      };
    for (const [key, child] of Object.entries(item.value as Record<string, unknown>)) {
      const keyProblem = textProblem(key, where, 'name of a field');
      if (keyProblem !== null) return keyProblem;
      const path = Array.isArray(item.value)
        ? `${item.path}[${key}]`
        : item.path === ''
          ? key
          : `${item.path}.${key}`;
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return null;
}

/** True when a header value holds a control character (C0 or DEL). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
