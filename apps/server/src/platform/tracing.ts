/**
 * Tracing as the rest of the code sees it: the OpenTelemetry API (never the SDK), the W3C
 * `traceparent` in and out, and the scope of the work in progress (its request id and acting
 * caller) carried in the same context, so that every log line can name them. The SDK side
 * (where spans go) is `telemetry.ts`, wired once per process by `main/`.
 */
import {
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { encodeId } from '../kernel/ids.ts';
import type { Principal } from '../kernel/principal.ts';

export { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Context, type Span, type Tracer };

/** A tracer that records nothing: the default of every component given none. */
export const noTracer: Tracer = new ProxyTracerProvider().getTracer('kassa');

/** Whose work this is. `actor` is filled in once the request is authenticated. */
export interface TraceScope {
  readonly requestId: string | null;
  actor: string | null;
}

const scopeKey = createContextKey('kassa.trace-scope');
const propagator = new W3CTraceContextPropagator();
let contextManagerSet = false;

/**
 * Makes the active context follow async calls (AsyncLocalStorage), once per process. Without it
 * spans have no parents and log lines no trace.
 */
export function enableTraceContext(): void {
  if (contextManagerSet) return;
  contextManagerSet = context.setGlobalContextManager(
    new AsyncLocalStorageContextManager().enable(),
  );
}

export function activeContext(): Context {
  return context.active();
}

export function runInContext<T>(ctx: Context, work: () => T): T {
  return context.with(ctx, work);
}

/** `ctx` with `scope` as the work's request id and actor. */
export function withScope(ctx: Context, scope: TraceScope): Context {
  return ctx.setValue(scopeKey, scope);
}

export function currentScope(ctx: Context = context.active()): TraceScope | undefined {
  return ctx.getValue(scopeKey) as TraceScope | undefined;
}

/** The `traceparent` of the active span (null when nothing is traced). */
export function currentTraceparent(ctx: Context = context.active()): string | null {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier['traceparent'] ?? null;
}

/** Adds `traceparent` (and `tracestate`) of the active span to outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>, ctx = context.active()): void {
  propagator.inject(ctx, headers, defaultTextMapSetter);
}

/** The context a caller's `traceparent` names (`base` when it names none or is malformed). */
export function extractTraceContext(
  headers: Record<string, string | string[] | undefined>,
  base: Context = ROOT_CONTEXT,
): Context {
  return propagator.extract(base, headers, defaultTextMapGetter);
}

/** The context of a stored `traceparent` (an event's), with the scope it was written under. */
export function storedTraceContext(
  traceparent: string | null | undefined,
  scope: TraceScope,
): Context {
  const base = withScope(ROOT_CONTEXT, scope);
  return traceparent === null || traceparent === undefined
    ? base
    : extractTraceContext({ traceparent }, base);
}

/**
 * Trace, span, request and actor of the work in progress, for every log line (pino's mixin).
 * A new object each time: pino merges the line's fields into it.
 */
export function logFields(): Record<string, string> {
  const ctx = context.active();
  const fields: Record<string, string> = {};
  const span = trace.getSpanContext(ctx);
  if (span !== undefined && isSpanContextValid(span)) {
    fields['trace_id'] = span.traceId;
    fields['span_id'] = span.spanId;
  }
  const scope = ctx.getValue(scopeKey) as TraceScope | undefined;
  if (scope?.requestId != null) fields['request_id'] = scope.requestId;
  if (scope?.actor != null) fields['actor'] = scope.actor;
  return fields;
}

export function setActiveSpanAttribute(key: string, value: string | number | boolean): void {
  trace.getActiveSpan()?.setAttribute(key, value);
}

/** How log lines and spans name a caller: `usr_…`, `mer_…`, `operator`, `operator:opr_…`. */
export function principalActor(principal: Principal | null): string | null {
  if (principal === null) return null;
  switch (principal.kind) {
    case 'user':
      return encodeId('usr', principal.userId);
    case 'merchant':
      return encodeId('mer', principal.merchantId);
    case 'operator':
      return principal.operatorId === null
        ? 'operator'
        : `operator:${encodeId('opr', principal.operatorId)}`;
  }
}

/** Marks the active span as being about an object (`pay_…`): `kassa trace pay_…` finds it. */
export function noteTraceObject(objectId: string): void {
  trace.getActiveSpan()?.setAttribute('kassa.object_id', objectId);
}

export function setSpanError(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 300) });
}

/**
 * Runs `work` in a new span, a child of `parent` (the active context by default), and ends it;
 * a thrown error marks the span failed and goes on.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    setSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Like `inSpan`, but only inside traced work: background polling (the worker's claims and
 * relays, every half second) would otherwise make a root span of every idle query.
 */
export function inChildSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: () => Attributes,
  work: () => Promise<T>,
): Promise<T> {
  if (tracer === noTracer || trace.getSpanContext(context.active()) === undefined) return work();
  return inSpan(tracer, name, { attributes: attributes() }, work);
}

/** Whether the active context is traced (a span to hang children on). */
export function isTraced(ctx: Context = context.active()): boolean {
  return trace.getSpanContext(ctx) !== undefined;
}

/** `ctx` with `span` active in it. */
export function contextWithSpan(ctx: Context, span: Span): Context {
  return trace.setSpan(ctx, span);
}
