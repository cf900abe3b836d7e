import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import type { Logger } from '../platform/log.ts';
import type { Metrics } from '../platform/metrics.ts';
import { KassaError } from '../kernel/errors.ts';
import { errorBody } from '../kernel/error-body.ts';
import { handleError } from './error-handler.ts';
import { principalScope, type Principal } from '../kernel/principal.ts';
import type { RateLimiter } from '../platform/rate-limiter.ts';
import { maskCardNumbers, maskCardNumbersDeep } from '../modules/vault/index.ts';
import { hasControlCharacter, inputProblem } from './input-guard.ts';
import { rememberSentIdempotencyKey } from '../platform/request-context.ts';
import { clientBucket } from '../platform/client-address.ts';
import {
  activeContext,
  contextWithSpan,
  extractTraceContext,
  noTracer,
  principalActor,
  ROOT_CONTEXT,
  runInContext,
  SpanKind,
  SpanStatusCode,
  withScope,
  type Context,
  type Span,
  type TraceScope,
  type Tracer,
} from '../platform/tracing.ts';

export interface AppOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bodyLimitBytes: number;
  /** PEM certificate and key: serve HTTPS with HSTS. Absent: plain HTTP (loopback or behind TLS). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Resolves the Authorization header to a caller (null: anonymous; throws on a bad token). */
  readonly authenticate: (authorization: string | undefined) => Promise<Principal | null>;
  /**
   * Proxies (IPs or CIDRs) whose `X-Forwarded-For` names the client (`TRUST_PROXY`); from any
   * other peer the header is ignored and the socket's address is the client.
   */
  readonly trustProxy: readonly string[];
  /** Keys request fingerprints (HMAC): kept outside the database, never rotated. */
  readonly fingerprintKey: Buffer;
  readonly rateLimiter: RateLimiter;
  readonly rateLimits: {
    readonly authPerMinute: number;
    readonly userPerMinute: number;
    readonly merchantPerMinute: number;
  };
  /**
   * Requests this process works on at once; past it a request is refused at once (503, nothing
   * moved, Retry-After) before authentication costs anything: load shedding, so a retry storm
   * gets fast refusals instead of a queue that grows until every request times out.
   */
  readonly inFlightMax: number;
  /** Plugins that add routes, each in its own encapsulated context. */
  readonly routes: readonly ((app: FastifyInstance) => Promise<void>)[];
  /** A server span per request, continuing the caller's `traceparent` when it sent one. */
  readonly tracer?: Tracer;
}

export type App = FastifyInstance;

/** Identifiers are never rewritten: one holding a card number is refused instead. */
const identifierFields = ['email', 'to'] as const;
const exemptFromMasking = new Set([
  'card.number',
  'password',
  'current_password',
  'new_password',
  // A raw UUID (hex and dashes) reads like a card number about once in 200: it is checked
  // against stored challenges only, never kept.
  'challenge_id',
  ...identifierFields,
]);

/**
 * TLS 1.3's suites (all forward-secret AEAD), and for TLS 1.2 only ECDHE key exchange with
 * AES-GCM or ChaCha20-Poly1305: no RSA key exchange, no CBC, no SHA-1 MACs.
 */
export const tlsCiphers = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Headers for every response: no sniffing, no framing, no referrers, nothing cached. */
const secureHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Builds the HTTP app without listening (Fastify's build/listen split, for `inject()` tests). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; naming the wider type keeps the instance type default.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const tls = options.tls;
  const app = Fastify({
    loggerInstance,
    ...(tls === undefined
      ? {}
      : {
          // An HTTPS server behind Fastify's usual (http.Server-typed) instance.
          serverFactory: (handler: http.RequestListener) =>
            https.createServer(
              {
                cert: tls.cert,
                key: tls.key,
                minVersion: 'TLSv1.2',
                ciphers: tlsCiphers,
                honorCipherOrder: true,
              },
              handler,
            ) as unknown as http.Server,
        }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy.length === 0 ? false : [...options.trustProxy],
    genReqId: () => `req_${randomBytes(12).toString('base64url')}`,
    requestIdHeader: false,
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    // Traced, no per-request child logger: the logger's mixin adds the request id, trace and
    // actor to every line written while the request is worked on, by any module.
    ...(options.tracer === undefined || options.tracer === noTracer
      ? {}
      : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ajv: {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        allErrors: false,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only (shared/API.md): any other media type is a 415, not a string body.
  app.removeContentTypeParser('text/plain');
  // Keep the raw JSON text too: device signatures are checked over the exact bytes sent. Parsing
  // stays Fastify's own (secure-json-parse, refusing __proto__ and constructor.prototype).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    // Fastify's parser reports through `done`; its return value carries nothing.
    void parseJson(request, body as string, done);
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('fingerprintKey', null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('route_not_found', request.id));
  });

  // First of all hooks: the rest of the request runs in its span's context, with its scope.
  const tracer = options.tracer ?? noTracer;
  const traced = new WeakMap<object, { span: Span; context: Context; scope: TraceScope }>();
  app.addHook('onRequest', (request, _reply, done) => {
    const parent =
      request.headers.traceparent === undefined
        ? ROOT_CONTEXT
        : extractTraceContext(request.headers);
    const span = tracer.startSpan(
      `${request.method} request`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'kassa.request_id': request.id },
      },
      parent,
    );
    const scope: TraceScope = { requestId: request.id, actor: null };
    const context = withScope(contextWithSpan(parent, span), scope);
    traced.set(request, { span, context, scope });
    runInContext(context, done);
  });
  const endRequestSpan = (request: FastifyRequest, status: number | null, route: string) => {
    const { span, scope } = traced.get(request) ?? {};
    if (span === undefined) return;
    traced.delete(request);
    span.updateName(`${request.method} ${route}`);
    span.setAttribute('http.route', route);
    if (scope?.actor != null) span.setAttribute('enduser.id', scope.actor);
    if (status === null) span.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted' });
    else {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  app.addHook('onRequestAbort', async (request) => {
    endRequestSpan(request, null, request.routeOptions.url ?? 'unmatched');
  });

  let inFlight = 0;
  const unshed = new Set(['/livez', '/readyz', '/metrics']);
  app.addHook('onRequest', async (request, reply) => {
    if (!unshed.has(request.url)) {
      if (inFlight >= options.inFlightMax) {
        options.metrics.requestsShed.inc();
        throw new KassaError('service_unavailable', 'Kassa is busy: try again in a second', {
          retryAfterSeconds: 1,
        });
      }
      inFlight += 1;
      options.metrics.httpInFlight.set(inFlight);
      reply.raw.once('close', () => {
        inFlight -= 1;
        options.metrics.httpInFlight.set(inFlight);
      });
    }
    request.fingerprintKey = options.fingerprintKey;
    void reply.header('Request-Id', request.id);
    void reply.headers(secureHeaders);
    if (tls !== undefined)
      void reply.header('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    request.principal = await options.authenticate(request.headers.authorization);
    const scope = traced.get(request)?.scope;
    if (scope !== undefined) scope.actor = principalActor(request.principal);
  });
  // Authentication comes before validation: an anonymous caller learns nothing about a
  // protected route's input rules. Routes opt out with `config: { public: true }`.
  app.addHook('preValidation', async (request) => {
    const url = request.routeOptions.url;
    if (
      request.principal !== null ||
      url === undefined ||
      request.routeOptions.config.public === true
    )
      return;
    if (url.startsWith('/docs')) return;
    throw new KassaError('authentication_required');
  });
  // Text that cannot be stored faithfully (NUL, unpaired surrogates), nesting past any real
  // request, unsafe integers and card numbers sent as JSON numbers are refused before anything
  // reads the request: one request's bad data never reaches a shared ledger batch.
  app.addHook('preValidation', async (request) => {
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string' && hasControlCharacter(key))
      throw new KassaError('idempotency_key_invalid', undefined, { param: 'Idempotency-Key' });
    const parts: [string, unknown][] = [
      ['body', request.body],
      ['query', request.query],
      ['path', request.params],
    ];
    for (const [where, value] of parts) {
      const problem = inputProblem(value, where);
      if (problem !== null)
        throw new KassaError(problem.code, problem.message, { param: problem.param });
    }
  });
  // Rate limits run after authentication, so money routes count per caller, not per address.
  // Card numbers never enter Kassa through a free-text field: every string and key of the body
  // and the Idempotency-Key are masked before anything reads them. Only the vault's own card
  // number field and password fields (hashed, never stored) are left as sent.
  app.addHook('preValidation', async (request) => {
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string') {
      // Device signatures cover the key as the device sent it; only storage sees it masked.
      rememberSentIdempotencyKey(request, key);
      request.headers['idempotency-key'] = maskCardNumbers(key);
    }
    if (request.body !== undefined && request.body !== null) {
      if (typeof request.body === 'object' && !Array.isArray(request.body)) {
        const fields = request.body as Record<string, unknown>;
        for (const field of identifierFields) {
          const value = fields[field];
          if (typeof value === 'string' && maskCardNumbers(value) !== value) {
            throw new KassaError(
              'invalid_request',
              'This field looks like it holds a card number. Card numbers go only in the card form.',
              { param: field },
            );
          }
        }
      }
      request.body = maskCardNumbersDeep(request.body, exemptFromMasking);
    }
  });
  // Auth routes count per client address (an IPv6 client per /64; behind a trusted proxy the
  // address is the one it forwarded), money routes per caller. Every limited answer carries
  // the RateLimit-* headers; a refusal also Retry-After.
  app.addHook('preHandler', async (request, reply) => {
    const kind = request.routeOptions.config.rateLimit;
    if (kind === undefined) return;
    const principal = request.principal;
    const limits = options.rateLimits;
    const [key, limit] =
      kind === 'auth'
        ? [`auth:ip:${clientBucket(request.ip)}`, limits.authPerMinute]
        : principal?.kind === 'merchant'
          ? [`money:merchant:${principal.merchantId}`, limits.merchantPerMinute]
          : [`money:${principalScope(principal)}`, limits.userPerMinute];
    if (limit === 0) return;
    const decision = await options.rateLimiter.hit(key, limit, 60);
    void reply.headers({
      'RateLimit-Limit': String(decision.limit),
      'RateLimit-Remaining': String(decision.remaining),
      'RateLimit-Reset': String(decision.resetSeconds),
    });
    if (!decision.allowed)
      throw new KassaError('rate_limited', undefined, {
        retryAfterSeconds: decision.resetSeconds,
      });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    options.metrics.httpRequests.inc({
      route,
      method: request.method,
      status: String(reply.statusCode),
    });
    options.metrics.httpDuration.observe({ route, method: request.method }, seconds);
    const level = reply.statusCode === 503 ? 'warn' : reply.statusCode >= 500 ? 'error' : 'info';
    // In the request's context: the response's end may come from the socket's own.
    runInContext(traced.get(request)?.context ?? activeContext(), () =>
      request.log[level](
        { method: request.method, route, status: reply.statusCode, durationMs: reply.elapsedTime },
        'request',
      ),
    );
    endRequestSpan(request, reply.statusCode, route);
  });

  // Response schemas document the API (OpenAPI, the SDK's types; a contract test checks real
  // responses against them). They never reshape a response: a schema-driven serializer would
  // silently drop a field the schema forgot, or coerce a null amount to 0.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kassa API',
        version: '1.0.0',
        description:
          'Wallets, P2P transfers, merchant payments and refunds. Amounts are integers in minor units. ' +
          'Every POST that moves money needs an Idempotency-Key header. Errors carry money_moved, retryable and next_action.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  for (const plugin of options.routes) await app.register(plugin);
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  return app;
}
