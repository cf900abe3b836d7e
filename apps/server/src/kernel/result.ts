/** Business rejections are values, not exceptions (shared/CONVENTIONS.md, "Errors"). */
export type Result<T, Code extends string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: Code; readonly detail?: string };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function rejected<Code extends string>(
  code: Code,
  detail?: string,
): { readonly ok: false; readonly code: Code; readonly detail?: string } {
  return detail === undefined ? { ok: false, code } : { ok: false, code, detail };
}
