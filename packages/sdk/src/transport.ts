import { signatureHeaders, type DeviceIdentity } from './device-key.ts';
import { KassaApiError, KassaNetworkError, unexpectedAnswerError } from './errors.ts';
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
  /** Also marks a request whose unclear outcome is unknown (`money_moved: null`), not "nothing". */
  readonly idempotencyKey?: string;
  /** Signs the attempt (money-moving requests, refresh) when set, with the idempotency key. */
  readonly device?: DeviceIdentity | null;
  /** Binds a new session to this device (`Kassa-Device` without a signature). */
  readonly deviceId?: string | null;
  /** Whether a success body has the route's shape (a payment has `id` and `status`, say). */
  readonly accepts?: (answer: Record<string, unknown>) => boolean;
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

async function headersFor(
  options: TransportOptions,
  request: ApiRequest,
  bodyText: string,
): Promise<Record<string, string>> {
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
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * One HTTP attempt. Throws KassaNetworkError without an answer, KassaApiError on a non-2xx, on a
 * redirect (never followed: it would carry the token and the payment elsewhere) and on a success
 * that is not the JSON object the route returns. Answers null for 204 No Content.
 */
export async function callApi(options: TransportOptions, request: ApiRequest): Promise<unknown> {
  const bodyText = request.body === undefined ? '' : JSON.stringify(request.body);
  const headers = await headersFor(options, request, bodyText);
  const keyed = request.idempotencyKey !== undefined;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(`${options.baseUrl}${request.path}`, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(request.body === undefined ? {} : { body: bodyText }),
    });
    text = await response.text();
  } catch (error) {
    throw new KassaNetworkError(error);
  }
  // Browsers show a manual redirect as an opaque response with status 0.
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400))
    throw unexpectedAnswerError(response.status, keyed, 'redirect');
  const parsed = parseJson(text);
  if (response.ok) {
    if (response.status === 204) return null;
    const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    if (!isObject || !(request.accepts?.(parsed as Record<string, unknown>) ?? true))
      throw unexpectedAnswerError(response.status, keyed, 'body');
    return parsed;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new KassaApiError(
    response.status,
    errorBodyOf(response.status, parsed),
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}
