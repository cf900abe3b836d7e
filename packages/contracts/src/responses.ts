import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { errorTypes, nextActions } from './errors.ts';
import { CurrencyCode, paymentStatuses } from './schemas.ts';

/**
 * Response shapes of the public API, for `/openapi.json` and the SDK's generated types. The
 * server documents them on its routes and a contract test checks real responses against them;
 * they do not drive serialization (responses are sent as built), so a field missing here is a
 * documentation gap, never a dropped field.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** One of a fixed list of strings (an `enum` in the OpenAPI document). */
const OneOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.String({ enum: [...values] }));
const Timestamp = Type.String({ format: 'date-time' });
const Money = Type.Integer({ minimum: 0, description: 'Minor units.' });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    type: OneOf(errorTypes),
    code: Type.String(),
    message: Type.String({ description: 'Safe to show to the end user.' }),
    param: Type.Optional(Type.String()),
    decline_code: Type.Optional(Type.String()),
    request_id: Type.String(),
    money_moved: Nullable(Type.Boolean()),
    retryable: Type.Boolean(),
    next_action: OneOf(nextActions),
  }),
});
export type ErrorResponse = Static<typeof ErrorResponse>;

const PaymentStatusSchema = OneOf(paymentStatuses);
const NextStep = Nullable(
  Type.Object({ type: Type.Literal('verify_2fa'), confirm_url: Type.String() }),
);
const Party = Type.Object({
  user: Nullable(Type.String()),
  wallet: Nullable(Type.String({ description: "Null on a declined transfer's recipient." })),
});

export const riskDecisions = ['allow', 'step_up', 'review', 'block'] as const;
export type RiskDecision = (typeof riskDecisions)[number];

/** The risk engine's decision on a money movement, made before it posts. */
export const Risk = Type.Object({
  decision: OneOf(riskDecisions),
  score: Type.Integer({ minimum: 0, maximum: 99, description: 'Higher is riskier.' }),
  reasons: Type.Array(Type.Object({ code: Type.String(), message: Type.String() }), {
    maxItems: 3,
  }),
  model_version: Nullable(Type.String()),
  rules_version: Type.String(),
});
export type Risk = Static<typeof Risk>;

export const Transfer = Type.Object({
  id: Type.String(),
  object: Type.Literal('transfer'),
  status: PaymentStatusSchema,
  amount: Money,
  currency: CurrencyCode,
  from: Party,
  to: Party,
  description: Nullable(Type.String()),
  failure_code: Nullable(Type.String()),
  next_action: NextStep,
  risk: Nullable(Risk),
  created_at: Timestamp,
});
export type Transfer = Static<typeof Transfer>;

/** What a payer may learn of a recipient before paying (`POST /v1/recipients/lookup`). */
export const Recipient = Type.Object({
  object: Type.Literal('recipient'),
  to: Type.String({ description: 'The recipient as it was asked for.' }),
  display_name: Type.String({ description: 'First name and last initial, e.g. "Ada L."' }),
  first_payment: Type.Boolean({ description: 'You have not sent this person money before.' }),
});
export type Recipient = Static<typeof Recipient>;

export const Payment = Type.Object({
  id: Type.String(),
  object: Type.Literal('payment'),
  status: PaymentStatusSchema,
  amount: Money,
  amount_captured: Money,
  amount_refunded: Money,
  fee: Money,
  currency: CurrencyCode,
  capture_method: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
  merchant: Nullable(Type.String()),
  payer: Nullable(Type.String()),
  description: Nullable(Type.String()),
  failure_code: Nullable(Type.String()),
  cancellation_reason: Nullable(Type.String()),
  next_action: NextStep,
  capture_before: Nullable(Timestamp),
  risk: Nullable(Risk),
  created_at: Timestamp,
});
export type Payment = Static<typeof Payment>;

export const Wallet = Type.Object({
  id: Type.String(),
  object: Type.Literal('wallet'),
  currency: CurrencyCode,
  balance: Type.Integer({ description: 'Settled, in minor units.' }),
  available: Type.Integer({ description: 'Spendable now: balance minus holds.' }),
  pending: Type.Integer({ description: 'Holds in minus holds out.' }),
});
export type Wallet = Static<typeof Wallet>;

export const User = Type.Object({
  id: Type.String(),
  object: Type.Literal('user'),
  email: Type.String(),
  name: Type.String(),
  created_at: Timestamp,
});

export const Me = Type.Intersect([
  User,
  Type.Object({
    wallets: Type.Array(Wallet),
    two_factor_enabled: Type.Boolean({
      description: 'Two-step verification (an authenticator app) is on for this account.',
    }),
  }),
]);
export type Me = Static<typeof Me>;

export const SessionTokens = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds the access token lives.' }),
});
export type SessionTokens = Static<typeof SessionTokens>;

export const TwoFactorChallenge = Type.Object({
  requires_2fa: Type.Literal(true),
  challenge_id: Type.String(),
  expires_in: Type.Integer(),
});
export type TwoFactorChallenge = Static<typeof TwoFactorChallenge>;

export const Device = Type.Object({
  id: Type.String(),
  object: Type.Literal('device'),
  name: Type.String(),
  trusted: Type.Boolean(),
  key_algorithm: Type.String({ description: '`ES256` or `EdDSA`.' }),
  created_at: Timestamp,
});
export type Device = Static<typeof Device>;

export const MerchantProfile = Type.Object({
  id: Type.String(),
  object: Type.Literal('merchant'),
  name: Type.String({ description: 'The display name the merchant chose (it may change it).' }),
  verified_name: Nullable(
    Type.String({
      description:
        'The legal name the operator verified; the merchant cannot change it. Payers should see it beside `name`.',
    }),
  ),
  category: Type.String(),
  currency: CurrencyCode,
  fee_bps: Type.Optional(Type.Integer({ description: 'Only for the merchant and the operator.' })),
  created_at: Timestamp,
});
export type MerchantProfile = Static<typeof MerchantProfile>;

export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({
    object: Type.Literal('list'),
    data: Type.Array(item),
    has_more: Type.Boolean(),
  });

/** The response map of a route: its success shape and the error object. */
export const answers = <T extends TSchema>(success: T, status: '200' | '201' | '2xx' = '2xx') => ({
  [status]: success,
  '4xx': ErrorResponse,
  '5xx': ErrorResponse,
});
