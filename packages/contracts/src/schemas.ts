import { Type, type Static } from '@sinclair/typebox';

/**
 * Wire schemas of the public API (shared/API.md). Request schemas reject unknown fields; the
 * server validates with them and generates `/openapi.json` from them, and the SDK's types come
 * from the same definitions.
 */
const strict = { additionalProperties: false } as const;

export const AmountMinor = Type.Integer({
  minimum: 1,
  maximum: 9007199254740991,
  description: 'Integer amount in the currency minor units (1050 = 10.50 USD).',
  examples: [1050],
});
export const CurrencyCode = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code, upper case.',
  examples: ['USD'],
});
export const Description = Type.String({ maxLength: 500 });
const WireId = (prefix: string) =>
  Type.String({
    pattern: `^${prefix}_[0-7][0-9a-hjkmnp-tv-z]{25}$`,
    examples: [`${prefix}_01jd7w9k3c8v4t5e6r7y8z9a0b`],
  });

export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });

export const SignUpBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency: Type.Optional(CurrencyCode),
  },
  strict,
);
export type SignUpBody = Static<typeof SignUpBody>;

export const LogInBody = Type.Object({ email: Email, password: Password }, strict);
export type LogInBody = Static<typeof LogInBody>;

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  strict,
);
export type RefreshBody = Static<typeof RefreshBody>;

export const ChangePasswordBody = Type.Object(
  { current_password: Password, new_password: Password },
  strict,
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const TotpCode = Type.String({
  minLength: 6,
  maxLength: 16,
  description: 'A 6-digit TOTP code, or a recovery code where allowed.',
});
/** Enrolling, replacing or removing a factor needs the current password (a stolen token is not enough). */
export const TotpStartBody = Type.Object({ password: Password }, strict);
export type TotpStartBody = Static<typeof TotpStartBody>;
export const TotpConfirmBody = Type.Object({ code: TotpCode }, strict);
export type TotpConfirmBody = Static<typeof TotpConfirmBody>;
export const TotpDisableBody = Type.Object({ password: Password, code: TotpCode }, strict);
export type TotpDisableBody = Static<typeof TotpDisableBody>;
/** New recovery codes (the old ones stop working): the password and a current code. */
export const RecoveryCodesBody = Type.Object({ password: Password, code: TotpCode }, strict);
export type RecoveryCodesBody = Static<typeof RecoveryCodesBody>;
export const TwoFactorLogInBody = Type.Object(
  { challenge_id: Type.String({ minLength: 1, maxLength: 64 }), code: TotpCode },
  strict,
);
export type TwoFactorLogInBody = Static<typeof TwoFactorLogInBody>;

export const CreatePaymentMethodBody = Type.Object(
  {
    card: Type.Object(
      {
        number: Type.String({
          minLength: 12,
          maxLength: 23,
          description: 'Digits, optionally grouped with spaces or dashes.',
        }),
        exp_month: Type.Integer({ minimum: 1, maximum: 12 }),
        exp_year: Type.Integer({ minimum: 0, maximum: 2200 }),
        cvc: Type.String({ minLength: 3, maxLength: 4, description: 'Checked, never stored.' }),
      },
      strict,
    ),
  },
  strict,
);
export type CreatePaymentMethodBody = Static<typeof CreatePaymentMethodBody>;

export const ConfirmBody = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) },
  strict,
);
export type ConfirmBody = Static<typeof ConfirmBody>;

export const EnrollDeviceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    public_key: Type.Record(Type.String({ maxLength: 16 }), Type.String({ maxLength: 200 }), {
      maxProperties: 10,
      description: 'Public JWK (P-256 or Ed25519).',
    }),
    fingerprint: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 40 }),
        Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()]),
        { maxProperties: 30 },
      ),
    ),
  },
  strict,
);
export type EnrollDeviceBody = Static<typeof EnrollDeviceBody>;

export const CreateMerchantBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    verified_name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'The legal name the operator verified (default: `name`); shown to payers.',
      }),
    ),
    category: Type.String({ minLength: 1, maxLength: 100 }),
    currency: CurrencyCode,
    fee_bps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  },
  strict,
);
export type CreateMerchantBody = Static<typeof CreateMerchantBody>;

/**
 * What a merchant may change about itself: how payers see it. The fee is the operator's, and so
 * is `verified_name` (the legal name payers are shown beside the display name).
 */
export const UpdateMerchantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    verified_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { ...strict, minProperties: 1 },
);

export const RollApiKeyBody = Type.Object(
  {
    expires_in_hours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 168,
        description: 'How long the old key keeps working (default 24; 0: stop it now).',
      }),
    ),
  },
  strict,
);
export type RollApiKeyBody = Static<typeof RollApiKeyBody>;
export type UpdateMerchantBody = Static<typeof UpdateMerchantBody>;

export const CreateTransferBody = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      maxLength: 254,
      description: 'A user id, email or wallet id.',
    }),
    amount: AmountMinor,
    currency: CurrencyCode,
    description: Type.Optional(Description),
  },
  strict,
);
export type CreateTransferBody = Static<typeof CreateTransferBody>;

export const RecipientLookupBody = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      maxLength: 254,
      description: 'An email, user id or wallet id.',
    }),
    currency: CurrencyCode,
  },
  strict,
);
export type RecipientLookupBody = Static<typeof RecipientLookupBody>;

export const CaptureMethod = Type.Union([Type.Literal('automatic'), Type.Literal('manual')]);
export const CreatePaymentBody = Type.Object(
  {
    merchant: WireId('mer'),
    amount: AmountMinor,
    currency: CurrencyCode,
    capture: Type.Optional(CaptureMethod),
    description: Type.Optional(Description),
  },
  strict,
);
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

export const CaptureBody = Type.Object({ amount: Type.Optional(AmountMinor) }, strict);
export type CaptureBody = Static<typeof CaptureBody>;

export const CreateRefundBody = Type.Object(
  {
    payment: WireId('pay'),
    amount: Type.Optional(AmountMinor),
    reason: Type.Optional(Description),
  },
  strict,
);
export type CreateRefundBody = Static<typeof CreateRefundBody>;

export const CreateTopupBody = Type.Object(
  {
    payment_method: WireId('pm'),
    amount: AmountMinor,
    currency: CurrencyCode,
  },
  strict,
);

export const BankAccount = Type.Object(
  {
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
    account_number: Type.String({ pattern: '^[0-9A-Z]{4,34}$' }),
    routing_number: Type.String({ pattern: '^[0-9A-Z]{4,20}$' }),
  },
  strict,
);

export const CreatePayoutBody = Type.Object(
  {
    amount: AmountMinor,
    currency: CurrencyCode,
    bank_account: BankAccount,
    code: Type.Optional(
      Type.String({
        pattern: '^[0-9]{6}$',
        description:
          'A current TOTP code, when the payout needs a second factor (403 `step_up_required`).',
      }),
    ),
  },
  strict,
);

export const FundingBody = Type.Object(
  {
    wallet: WireId('wal'),
    amount: AmountMinor,
    currency: CurrencyCode,
    description: Type.Optional(Description),
  },
  strict,
);
export type FundingBody = Static<typeof FundingBody>;

export const CreateWebhookEndpointBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
    }),
  },
  strict,
);

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1..100, default 10' }),
    ),
    starting_after: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);
export type ListQuery = Static<typeof ListQuery>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, strict);
export type IdParams = Static<typeof IdParams>;

export const TransferFlags = Type.Object(
  {
    linked: Type.Optional(Type.Boolean()),
    pending: Type.Optional(Type.Boolean()),
    post_pending: Type.Optional(Type.Boolean()),
    void_pending: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const LedgerTransferInput = Type.Object(
  {
    id: WireId('ltr'),
    debit_account: Type.Optional(WireId('acc')),
    credit_account: Type.Optional(WireId('acc')),
    amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 9007199254740991 })),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    flags: Type.Optional(TransferFlags),
    pending_id: Type.Optional(WireId('ltr')),
    timeout_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })),
  },
  strict,
);
export type LedgerTransferInput = Static<typeof LedgerTransferInput>;
export const LedgerBatchBody = Type.Object(
  { transfers: Type.Array(LedgerTransferInput, { minItems: 1, maxItems: 8000 }) },
  strict,
);
export type LedgerBatchBody = Static<typeof LedgerBatchBody>;

export const LedgerAccountBody = Type.Object(
  {
    currency: CurrencyCode,
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    flags: Type.Optional(
      Type.Object(
        {
          debits_must_not_exceed_credits: Type.Optional(Type.Boolean()),
          credits_must_not_exceed_debits: Type.Optional(Type.Boolean()),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type LedgerAccountBody = Static<typeof LedgerAccountBody>;

/** Payment and transfer statuses (shared/API.md). */
export const paymentStatuses = [
  'requires_action',
  'processing',
  'requires_capture',
  'under_review',
  'succeeded',
  'canceled',
  'failed',
  'outcome_unknown',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];
