import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const propagator = new W3CTraceContextPropagator();

/**
 * The stand-in's side of a trace: a server span per `/v1/*` call, a child of the caller's
 * `traceparent`, and the same trace carried on into the callbacks the call causes. Spans are
 * kept per request rather than in an async context, so the stand-in needs no context manager of
 * its own. Without a tracer (`setTracer`) nothing is recorded.
 */
export function simTracing(app: FastifyInstance) {
  let tracer: Tracer = new ProxyTracerProvider().getTracer('kassa-processor-sim');
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const span = tracer.startSpan(
      `processor-sim ${request.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } },
      parent,
    );
    spans.set(request, span);
    // 'close' comes for every reply: answered, dropped by a fault, or abandoned by the caller.
    reply.raw.once('close', () => {
      span.updateName(`processor-sim ${request.method} ${request.routeOptions.url ?? ''}`);
      if (reply.raw.writableFinished)
        span.setAttribute('http.response.status_code', reply.raw.statusCode);
      else span.setStatus({ code: SpanStatusCode.ERROR, message: 'no answer sent' });
      span.end();
    });
  });

  return {
    setTracer(next: Tracer): void {
      tracer = next;
    },
    /** Records what the stand-in did to a call (a fault it injected, a replayed answer). */
    note(request: FastifyRequest, key: string, value: string | boolean): void {
      spans.get(request)?.setAttribute(`kassa.processor_sim.${key}`, value);
    },
    /** Headers that carry the call's trace on into a callback it causes. */
    headersFor(request: FastifyRequest | undefined): Record<string, string> {
      const span = request === undefined ? undefined : spans.get(request);
      const headers: Record<string, string> = {};
      if (span !== undefined)
        propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
      return headers;
    },
  };
}
