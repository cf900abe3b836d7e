import { errorCatalogue, isErrorCode, type ErrorCode } from '@kassa/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AssertionFailure } from '../kernel/assert.ts';
import { KassaError } from '../kernel/errors.ts';
import { errorBody } from '../kernel/error-body.ts';
import { isDatabaseUnavailable } from '../platform/db.ts';

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns the first schema violation into a precise, user-readable error. */
function fromValidation(
  issues: readonly ValidationIssue[],
  context: string | undefined,
): { code: ErrorCode; message: string; param: string } {
  const issue = issues[0];
  const path = issue?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
  if (issue === undefined)
    return {
      code: 'invalid_request',
      message: 'The request is not valid.',
      param: context ?? 'body',
    };
  if (issue.keyword === 'additionalProperties') {
    const field = String(issue.params['additionalProperty']);
    const param = path === '' ? field : `${path}.${field}`;
    return {
      code: 'unknown_field',
      message: `Unknown field "${param}". Remove it and retry.`,
      param,
    };
  }
  if (issue.keyword === 'required') {
    const field = String(issue.params['missingProperty']);
    const param = path === '' ? field : `${path}.${field}`;
    return { code: 'invalid_request', message: `Missing required field "${param}".`, param };
  }
  const leaf = path.split('.').at(-1) ?? '';
  if (leaf === 'amount') {
    return { code: 'invalid_amount', message: errorCatalogue.invalid_amount.message, param: path };
  }
  if (leaf === 'currency' && issue.keyword === 'pattern') {
    return {
      code: 'invalid_currency',
      message: 'Currency must be a three-letter ISO 4217 code such as USD.',
      param: path,
    };
  }
  if (issue.keyword === 'type' && path === '') {
    return {
      code: 'invalid_request',
      message: `The ${context ?? 'body'} must be a JSON object.`,
      param: context ?? 'body',
    };
  }
  const where = path === '' ? (context ?? 'request') : `"${path}"`;
  return {
    code: 'invalid_request',
    message: `Field ${where} ${issue.message ?? 'is not valid'}.`,
    param: path || (context ?? 'body'),
  };
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_INVALID_TYPE: 'invalid_request',
};

/** The one place where errors become HTTP responses. */
export function handleError(
  this: unknown,
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const requestId = request.id;
  if (error instanceof KassaError) {
    const status = errorCatalogue[error.code].httpStatus;
    // A 503 is a deliberate refusal (load shed, open circuit): worth a warning, not an alarm.
    if (status === 503) request.log.warn({ code: error.code }, 'request refused');
    else if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (error.retryAfterSeconds !== undefined)
      void reply.header('Retry-After', String(error.retryAfterSeconds));
    else if (status === 503 || status === 429) void reply.header('Retry-After', '1');
    void reply.code(status).send(
      errorBody(error.code, requestId, {
        message: error.message !== error.code && status < 500 ? error.message : undefined,
        param: error.param,
        moneyMoved: error.moneyMoved,
      }),
    );
    return;
  }
  const fastifyError = error as FastifyError & {
    validation?: ValidationIssue[];
    validationContext?: string;
  };
  if (fastifyError.validation !== undefined) {
    const { code, message, param } = fromValidation(
      fastifyError.validation,
      fastifyError.validationContext,
    );
    void reply.code(400).send(errorBody(code, requestId, { message, param }));
    return;
  }
  const mapped = fastifyError.code === undefined ? undefined : fastifyCodes[fastifyError.code];
  if (mapped !== undefined) {
    void reply.code(errorCatalogue[mapped].httpStatus).send(errorBody(mapped, requestId));
    return;
  }
  // secure-json-parse rejects __proto__ and constructor.prototype keys with a SyntaxError.
  if (error instanceof SyntaxError || /prototype|__proto__/i.test(error.message)) {
    void reply.code(400).send(
      errorBody('invalid_json', requestId, {
        message: 'The request body is not valid JSON or uses a forbidden key such as "__proto__".',
      }),
    );
    return;
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    void reply
      .code(fastifyError.statusCode)
      .send(errorBody('invalid_request', requestId, { message: fastifyError.message }));
    return;
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    void reply.header('Retry-After', '1');
    void reply.code(503).send(errorBody('service_unavailable', requestId));
    return;
  }
  const code: ErrorCode = isErrorCode(fastifyError.code ?? '')
    ? (fastifyError.code as ErrorCode)
    : 'internal_error';
  request.log.error(
    { err: error, assertion: error instanceof AssertionFailure },
    'unexpected error',
  );
  void reply.code(errorCatalogue[code].httpStatus).send(errorBody(code, requestId));
}
