import type { paths } from './generated/openapi.ts';

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];

/** The success body a route documents (`2XX`, `200` or `201`). */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { responses: infer R }
    ? '2XX' extends keyof R
      ? JsonOf<R['2XX']>
      : 200 extends keyof R
        ? JsonOf<R[200]>
        : 201 extends keyof R
          ? JsonOf<R[201]>
          : unknown
    : never;

/** The JSON body a route takes. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

export type Transfer = ResponseOf<'/v1/transfers', 'post'>;
export type Payment = ResponseOf<'/v1/payments', 'post'>;
export type PaymentList = ResponseOf<'/v1/payments', 'get'>;
export type Wallet = ResponseOf<'/v1/wallets/{id}', 'get'>;
export type Me = ResponseOf<'/v1/me', 'get'>;
export type MerchantProfile = ResponseOf<'/v1/merchants/{id}', 'get'>;
export type SessionTokens = ResponseOf<'/v1/sessions/refresh', 'post'>;
export type Device = ResponseOf<'/v1/devices', 'post'>;
export type TransferRequest = BodyOf<'/v1/transfers', 'post'>;
export type PaymentRequest = BodyOf<'/v1/payments', 'post'>;
export type SignUpRequest = BodyOf<'/v1/users', 'post'>;
export type ErrorBody =
  Operation<'/v1/transfers', 'post'> extends {
    responses: { '4XX': infer E };
  }
    ? JsonOf<E>
    : never;
export type { paths };
