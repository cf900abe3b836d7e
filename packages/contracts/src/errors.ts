/**
 * The error catalogue: every error code Kassa returns, with its HTTP status, type, whether it is
 * safe to retry, whether money can have moved, the action to offer and a message safe to show
 * an end user. The server's one error handler renders from this table; clients switch on `code`.
 */
export const errorTypes = [
  'invalid_request_error',
  'authentication_error',
  'authorization_error',
  'payment_error',
  'idempotency_error',
  'rate_limit_error',
  'api_error',
] as const;
export type ErrorType = (typeof errorTypes)[number];

export const nextActions = [
  'retry',
  'retry_later',
  'fix_request',
  'top_up',
  'log_in',
  'verify_2fa',
  'use_new_idempotency_key',
  'contact_support',
] as const;
export type NextAction = (typeof nextActions)[number];

export interface ErrorDefinition {
  readonly type: ErrorType;
  readonly httpStatus: number;
  readonly retryable: boolean;
  /** false: certain nothing moved; null: unknown (retry with the same key to learn). */
  readonly moneyMoved: false | null;
  readonly nextAction: NextAction;
  readonly message: string;
}

const invalid = (message: string): ErrorDefinition => ({
  type: 'invalid_request_error',
  httpStatus: 400,
  retryable: false,
  moneyMoved: false,
  nextAction: 'fix_request',
  message,
});

const declined = (
  message: string,
  nextAction: NextAction = 'contact_support',
): ErrorDefinition => ({
  type: 'payment_error',
  httpStatus: 402,
  retryable: false,
  moneyMoved: false,
  nextAction,
  message,
});

export const errorCatalogue = {
  invalid_json: invalid('The request body is not valid JSON.'),
  invalid_request: invalid('The request is not valid.'),
  unknown_field: invalid('The request contains a field this endpoint does not accept.'),
  invalid_amount: invalid(
    'Amounts are whole numbers of minor units between 1 and 9007199254740991.',
  ),
  invalid_currency: invalid('The currency is not a supported ISO 4217 code.'),
  currency_mismatch: invalid('The currency does not match the account being charged or credited.'),
  invalid_id: invalid('The id is not a valid Kassa id of the expected type.'),
  body_too_large: { ...invalid('The request body is too large.'), httpStatus: 413 },
  unsupported_media_type: {
    ...invalid('Send the request body as application/json.'),
    httpStatus: 415,
  },
  idempotency_key_missing: invalid(
    'This request moves money and needs an Idempotency-Key header (1 to 255 characters).',
  ),
  idempotency_key_invalid: invalid('The Idempotency-Key header must be 1 to 255 characters.'),
  weak_password: invalid('Choose a password of at least 10 characters.'),
  recipient_not_found: {
    ...invalid('No Kassa user or wallet matches that recipient.'),
    httpStatus: 404,
  },
  recipient_is_sender: invalid('You cannot send money to yourself.'),
  resource_not_found: {
    ...invalid('No such object.'),
    httpStatus: 404,
  },
  route_not_found: { ...invalid('No such endpoint.'), httpStatus: 404 },
  method_not_allowed: { ...invalid('This endpoint does not accept that method.'), httpStatus: 405 },
  payment_not_capturable: {
    ...invalid('This payment is not waiting for capture.'),
    httpStatus: 409,
  },
  payment_not_cancelable: {
    ...invalid('This payment can no longer be canceled.'),
    httpStatus: 409,
  },
  rule_set_not_pending: {
    ...invalid('This rule set was already approved or rejected.'),
    httpStatus: 409,
  },
  rule_set_stale: {
    ...invalid(
      'The rules in force changed after this rule set was submitted, or its author left. Submit it again on top of the rules in force.',
    ),
    httpStatus: 409,
  },
  rule_set_not_active: {
    ...invalid('This rule set is not in force.'),
    httpStatus: 409,
  },
  payment_not_under_review: {
    ...invalid('This payment is not waiting for a review.'),
    httpStatus: 409,
  },
  payment_not_confirmable: {
    ...invalid('This payment is not waiting for confirmation.'),
    httpStatus: 409,
  },
  capture_exceeds_authorized: invalid('You cannot capture more than was authorized.'),
  refund_exceeds_captured: invalid(
    'The refund would exceed the amount captured minus what was already refunded.',
  ),
  payment_not_refundable: {
    ...invalid('Only succeeded payments can be refunded.'),
    httpStatus: 409,
  },
  invalid_card_number: invalid('The card number is not valid. Check the digits and try again.'),
  unsupported_card_brand: invalid(
    'This card brand is not accepted. Use Visa, Mastercard, American Express or Discover.',
  ),
  expired_card: invalid('This card has expired. Use another card.'),
  invalid_card_expiry: invalid('The expiry date is not valid.'),
  invalid_cvc: invalid('The security code is not valid.'),
  invalid_device_key: invalid(
    'The device key must be a public P-256 (ES256) or Ed25519 key in JWK form.',
  ),
  payment_method_not_found: {
    ...invalid('No saved card matches that payment method. Add the card again.'),
    httpStatus: 404,
  },
  wallet_not_found: {
    ...invalid('You have no wallet in this currency.'),
    httpStatus: 404,
  },
  invalid_webhook_url: invalid(
    'Webhook URLs must use https:// (plain http:// is accepted for loopback addresses only).',
  ),
  unknown_event_type: invalid('One of the event types is not one Kassa sends. Use "*" for all.'),
  batch_too_large: invalid('A ledger batch holds at most 8,000 transfers.'),

  authentication_required: {
    type: 'authentication_error',
    httpStatus: 401,
    retryable: false,
    moneyMoved: false,
    nextAction: 'log_in',
    message: 'Log in or send a valid API key in the Authorization header.',
  },
  invalid_credentials: {
    type: 'authentication_error',
    httpStatus: 401,
    retryable: false,
    moneyMoved: false,
    nextAction: 'fix_request',
    message: 'The email or password is incorrect.',
  },
  invalid_refresh_token: {
    type: 'authentication_error',
    httpStatus: 401,
    retryable: false,
    moneyMoved: false,
    nextAction: 'log_in',
    message: 'The session has ended. Log in again.',
  },
  invalid_2fa_code: {
    type: 'authentication_error',
    httpStatus: 401,
    retryable: false,
    moneyMoved: false,
    nextAction: 'verify_2fa',
    message:
      'That code is not valid. Enter the current code from your authenticator app or a recovery code.',
  },
  invalid_challenge: {
    type: 'authentication_error',
    httpStatus: 401,
    retryable: false,
    moneyMoved: false,
    nextAction: 'log_in',
    message: 'This sign-in attempt has expired. Log in again.',
  },
  totp_already_enabled: {
    ...invalid('Two-factor authentication is already on. Turn it off first to enrol a new device.'),
    httpStatus: 409,
  },
  totp_not_enabled: {
    ...invalid('Two-factor authentication is not on for this account.'),
    httpStatus: 409,
  },
  invalid_device_signature: {
    type: 'authentication_error',
    httpStatus: 401,
    retryable: false,
    moneyMoved: false,
    nextAction: 'fix_request',
    message:
      'The device signature on this request is not valid. Sign the request again with the enrolled device key.',
  },
  two_factor_required: {
    type: 'authorization_error',
    httpStatus: 403,
    retryable: false,
    moneyMoved: false,
    nextAction: 'verify_2fa',
    message: 'Turn on two-factor authentication to make payments of this size.',
  },
  webhook_endpoint_limit: {
    ...invalid('This merchant has the most webhook endpoints allowed. Delete one first.'),
    httpStatus: 409,
  },
  step_up_required: {
    type: 'authorization_error',
    httpStatus: 403,
    retryable: false,
    moneyMoved: false,
    nextAction: 'verify_2fa',
    message: 'This needs a code from your authenticator app. Send it again with the current code.',
  },
  new_factor_cooling_off: {
    type: 'authorization_error',
    httpStatus: 403,
    retryable: true,
    moneyMoved: false,
    nextAction: 'retry_later',
    message:
      'Two-step verification was turned on recently. For your security, payments of this size can be confirmed once it is a day old.',
  },
  operator_account_required: {
    type: 'authorization_error',
    httpStatus: 403,
    retryable: false,
    moneyMoved: false,
    nextAction: 'fix_request',
    message:
      'Use a named operator account for this. The bootstrap operator key only creates operator accounts.',
  },
  self_approval: {
    type: 'authorization_error',
    httpStatus: 403,
    retryable: false,
    moneyMoved: false,
    nextAction: 'fix_request',
    message: 'A second operator must approve this. You cannot approve what you submitted.',
  },
  forbidden: {
    type: 'authorization_error',
    httpStatus: 403,
    retryable: false,
    moneyMoved: false,
    nextAction: 'contact_support',
    message: 'Your account is not allowed to do this.',
  },

  insufficient_funds: declined(
    'Your balance is too low for this payment. Top up your wallet and try again.',
    'top_up',
  ),
  risk_blocked: declined(
    'This payment was blocked to protect your account. Nothing was taken. If you made it, contact support.',
    'contact_support',
  ),
  hold_expired: declined('The authorization on this payment has expired.', 'contact_support'),
  amount_too_large: declined('This amount is over what an account can hold.'),

  idempotency_key_reused: {
    type: 'idempotency_error',
    httpStatus: 422,
    retryable: false,
    moneyMoved: false,
    nextAction: 'use_new_idempotency_key',
    message:
      'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
  },
  idempotency_key_in_progress: {
    type: 'idempotency_error',
    httpStatus: 409,
    retryable: true,
    moneyMoved: null,
    nextAction: 'retry_later',
    message: 'A request with this Idempotency-Key is still being processed. Retry shortly.',
  },

  too_many_attempts: {
    type: 'rate_limit_error',
    httpStatus: 429,
    retryable: true,
    moneyMoved: false,
    nextAction: 'retry_later',
    message: 'Too many failed attempts. For your security, sign-in is paused; try again later.',
  },
  rate_limited: {
    type: 'rate_limit_error',
    httpStatus: 429,
    retryable: true,
    moneyMoved: false,
    nextAction: 'retry_later',
    message: 'Too many requests. Wait a moment and try again.',
  },

  internal_error: {
    type: 'api_error',
    httpStatus: 500,
    retryable: true,
    moneyMoved: null,
    nextAction: 'retry',
    message:
      'Something went wrong on our side. Retry with the same Idempotency-Key to learn the outcome.',
  },
  processor_unavailable: {
    type: 'api_error',
    httpStatus: 503,
    retryable: true,
    moneyMoved: false,
    nextAction: 'retry_later',
    message:
      'Our card and bank partner is not answering right now. Nothing was charged or sent; try again in a minute.',
  },
  service_unavailable: {
    type: 'api_error',
    httpStatus: 503,
    retryable: true,
    moneyMoved: false,
    nextAction: 'retry_later',
    message: 'Kassa is temporarily unavailable. Nothing was charged; try again shortly.',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}

/** The error body every non-2xx response carries (shared/API.md, "Errors"). */
export interface ErrorBody {
  error: {
    type: ErrorType;
    code: ErrorCode;
    message: string;
    param?: string;
    decline_code?: string;
    request_id: string;
    money_moved: boolean | null;
    retryable: boolean;
    next_action?: NextAction;
  };
}
