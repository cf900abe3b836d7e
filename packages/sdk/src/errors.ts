import type { ErrorBody } from './types.ts';

type ApiErrorFields = ErrorBody['error'];

/**
 * An answer from Kassa that is not a success. `moneyMoved` is the API's own statement: `false`
 * nothing moved, `true` it did, `null` unknown (retry with the same key to learn the outcome).
 */
export class KassaApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorFields['type'];
  readonly code: string;
  readonly param: string | undefined;
  readonly requestId: string;
  readonly moneyMoved: boolean | null;
  readonly retryable: boolean;
  readonly nextAction: ApiErrorFields['next_action'];
  /** From `Retry-After` (429, 503, 409 in progress). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: ErrorBody, retryAfterSeconds?: number) {
    super(body.error.message);
    this.name = 'KassaApiError';
    this.status = status;
    this.type = body.error.type;
    this.code = body.error.code;
    this.param = body.error.param;
    this.requestId = body.error.request_id;
    this.moneyMoved = body.error.money_moved;
    this.retryable = body.error.retryable;
    this.nextAction = body.error.next_action;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The request did not get an answer (offline, DNS, reset, timeout). It may or may not have
 * reached Kassa: for a money-moving request the outcome is unknown until a retry with the same
 * key answers.
 */
export class KassaNetworkError extends Error {
  readonly moneyMoved = null;
  constructor(cause: unknown) {
    super(
      'Kassa could not be reached. Nothing is lost: the request is retried with the same key.',
      {
        cause,
      },
    );
    this.name = 'KassaNetworkError';
  }
}

/** Queuing this payment offline would pass the device's offline limit. Nothing was queued or sent. */
export class OfflineLimitError extends Error {
  readonly moneyMoved = false;
  constructor(
    readonly limitMinor: number,
    readonly queuedMinor: number,
    readonly currency: string,
  ) {
    super(
      `Offline you can queue up to ${limitMinor} (minor units, ${currency}); ${queuedMinor} is already waiting to be sent.`,
    );
    this.name = 'OfflineLimitError';
  }
}
