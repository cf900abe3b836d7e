import type { ErrorCode } from '@kassa/contracts';

/**
 * An operational failure or a client error that ends a request: thrown, carried to the one
 * HTTP error handler, and rendered from the error catalogue in `@kassa/contracts`.
 * `moneyMoved` overrides the catalogue when the handler knows better (a lost COMMIT is null).
 */
export class KassaError extends Error {
  override readonly name = 'KassaError';
  readonly code: ErrorCode;
  readonly param: string | undefined;
  readonly moneyMoved: boolean | null | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: {
      cause?: unknown;
      param?: string;
      moneyMoved?: boolean | null;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message ?? code, { cause: options.cause });
    this.code = code;
    this.param = options.param;
    this.moneyMoved = options.moneyMoved;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
