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

/** An error the SDK states itself, in the shape of Kassa's (no request reached Kassa, or no
 * answer from Kassa could be read). */
function localError(status: number, error: Omit<ApiErrorFields, 'type' | 'request_id'>) {
  return new KassaApiError(status, {
    error: {
      type: status === 401 ? 'authentication_error' : 'api_error',
      request_id: '',
      ...error,
    },
  });
}

/** No one is signed in on this device (or no longer the user a request belongs to). */
export function signedOutError(): KassaApiError {
  return localError(401, {
    code: 'authentication_required',
    message: 'Log in to continue.',
    money_moved: false,
    retryable: false,
    next_action: 'log_in',
  });
}

/**
 * An answer that is not Kassa's answer to this request: a redirect (never followed with
 * credentials or a payment body), or a success whose body is not the JSON object the route
 * returns (a captive portal's page, say). For a request with an idempotency key the outcome is
 * unknown (`money_moved: null`): retrying with the same key tells. `status` is 0 for a browser's
 * opaque redirect.
 */
export function unexpectedAnswerError(
  status: number,
  keyed: boolean,
  kind: 'redirect' | 'body',
): KassaApiError {
  return localError(status, {
    code: kind === 'redirect' ? 'unexpected_redirect' : 'unexpected_answer',
    message:
      kind === 'redirect'
        ? 'The network redirected the request elsewhere; it was not followed. Retrying with the same key is safe.'
        : 'The answer was not from Kassa (a Wi-Fi sign-in page?). Retrying with the same key is safe.',
    money_moved: keyed ? null : false,
    retryable: true,
    next_action: 'retry_later',
  });
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
