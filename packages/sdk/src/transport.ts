import { signatureHeaders, type DeviceIdentity } from './device-key.ts';
import { KassaApiError, KassaNetworkError } from './errors.ts';
import type { ErrorBody } from './types.ts';

export interface TransportOptions {
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly token?: string | null;
  readonly idempotencyKey?: string;
  /** Signs the attempt (money-moving requests) when set. */
  readonly device?: DeviceIdentity | null;
  /** Binds a new or refreshed session to this device (`Kassa-Device` without a signature). */
  readonly deviceId?: string | null;
}

function errorBodyOf(status: number, parsed: unknown): ErrorBody {
  if (typeof parsed === 'object' && parsed !== null && 'error' in parsed)
    return parsed as ErrorBody;
  // Not Kassa's answer (a proxy's error page): say nothing is known.
  return {
    error: {
      type: 'api_error',
      code: `http_${status}`,
      message: 'The service answered unexpectedly. Retrying with the same key is safe.',
      request_id: '',
      money_moved: status >= 500 ? null : false,
      retryable: status >= 500,
      next_action: 'retry_later',
    },
  };
}

/** One HTTP attempt. Throws KassaNetworkError without an answer, KassaApiError on a non-2xx. */
export async function callApi(options: TransportOptions, request: ApiRequest): Promise<unknown> {
  const bodyText = request.body === undefined ? '' : JSON.stringify(request.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.token) headers['authorization'] = `Bearer ${request.token}`;
  if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
  if (request.deviceId) headers['kassa-device'] = request.deviceId;
  if (request.device && request.idempotencyKey !== undefined)
    Object.assign(
      headers,
      await signatureHeaders(
        request.device,
        {
          method: request.method,
          path: request.path,
          body: bodyText,
          idempotencyKey: request.idempotencyKey,
        },
        options.now(),
      ),
    );
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(`${options.baseUrl}${request.path}`, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: bodyText }),
    });
    text = await response.text();
  } catch (error) {
    throw new KassaNetworkError(error);
  }
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (response.ok) return parsed;
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new KassaApiError(
    response.status,
    errorBodyOf(response.status, parsed),
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}
