import { setTimeout as sleep } from 'node:timers/promises';
import type { CircuitBreaker } from '../../platform/circuit-breaker.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { timeoutSignal } from '../../platform/timeout-signal.ts';
import {
  inSpan,
  injectTraceHeaders,
  noTracer,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '../../platform/tracing.ts';
import type {
  ProcessorCharge,
  ProcessorPayout,
  ProcessorRefund,
  SettlementEntry,
  CallResult,
} from './domain/processor-objects.ts';

export interface ProcessorClient {
  charge(
    key: string,
    input: {
      amount: bigint;
      currency: string;
      card: { number: string; expMonth: number; expYear: number };
      reference: string;
    },
  ): Promise<CallResult<ProcessorCharge>>;
  payout(
    key: string,
    input: {
      amount: bigint;
      currency: string;
      bankAccount: { country: string; account_number: string; routing_number: string };
      reference: string;
    },
  ): Promise<CallResult<ProcessorPayout>>;
  /** What the processor recorded for an idempotency key (`rejected` 404: it never saw it). */
  lookup(key: string): Promise<CallResult<ProcessorCharge | ProcessorPayout>>;
  /** A charge's current state (after 3-D Secure the stored answer to its key is stale). */
  getCharge(id: string): Promise<CallResult<ProcessorCharge>>;
  /** Cancels an authorization that was never completed. */
  voidCharge(id: string, key: string): Promise<CallResult<ProcessorCharge>>;
  /** Gives back (part of) a captured charge; the same key is the same refund. */
  refund(
    key: string,
    input: { charge: string; amount: bigint; reference: string },
  ): Promise<CallResult<ProcessorRefund>>;
  settlement(): Promise<SettlementEntry[]>;
}

type Attempt =
  | { readonly kind: 'answered'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'failed'; readonly reason: 'error' | 'timeout' | 'lost' };

/**
 * The HTTP connector to the processor. Every attempt has a timeout; attempts that failed in
 * transit are retried (and slow ones hedged), which is safe because each carries the flow's
 * idempotency key (the processor does the work once). Every call passes the circuit breaker,
 * and its outcome feeds it.
 */
export function createProcessorClient(options: {
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; the callback secret is never sent. */
  apiKey: string;
  timeoutMs: number;
  retries: number;
  /** A silent attempt gets a parallel hedge after this long (0: never). */
  hedgeAfterMs: number;
  breaker: CircuitBreaker;
  metrics: Metrics;
  random?: () => number;
  /** A span per call and per attempt; each attempt sends its `traceparent`. */
  tracer?: Tracer;
}): ProcessorClient {
  const random = options.random ?? Math.random;
  const tracer = options.tracer ?? noTracer;

  async function attempt(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    key: string | null,
    body: unknown,
    abandoned: AbortSignal,
  ): Promise<Attempt> {
    return inSpan(tracer, 'processor.attempt', { kind: SpanKind.CLIENT }, async (span) => {
      const result = await send(operation, method, path, key, body, abandoned);
      if (result.kind === 'answered') span.setAttribute('http.response.status_code', result.status);
      else span.setStatus({ code: SpanStatusCode.ERROR, message: result.reason });
      return result;
    });
  }

  async function send(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    key: string | null,
    body: unknown,
    abandoned: AbortSignal,
  ): Promise<Attempt> {
    const started = performance.now();
    const deadline = timeoutSignal(abandoned, options.timeoutMs);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === null ? {} : { 'idempotency-key': key }),
    };
    injectTraceHeaders(headers);
    try {
      const res = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: deadline.signal,
      });
      const text = await res.text();
      if (res.status >= 500 || res.status === 409) return { kind: 'failed', reason: 'error' };
      return { kind: 'answered', status: res.status, body: text === '' ? null : JSON.parse(text) };
    } catch {
      return { kind: 'failed', reason: deadline.timedOut() ? 'timeout' : 'lost' };
    } finally {
      deadline.dispose();
      options.metrics.processorCallDuration.observe(
        { operation },
        (performance.now() - started) / 1000,
      );
    }
  }

  /**
   * One call: one breaker permit, then up to `retries + 1` attempts under the same key, each
   * started within `timeoutMs` (at least 1 s) of the call. A
   * failed attempt is retried after a short backoff with full jitter; an attempt still silent
   * after `hedgeAfterMs` gets a hedge (a second attempt in parallel, same key: the processor
   * does the work once and answers both), so a hung connection costs the hedge delay, not the
   * whole timeout. The first answer wins; the others are abandoned.
   *
   * The breaker judges calls, not attempts: a lossy link (half the attempts failing) still gets
   * nearly every call through and keeps the breaker closed, while an outage fails every call —
   * and, sooner, an unbroken run of failed attempts — and opens it.
   */
  function call<T>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    key: string | null,
    body?: unknown,
  ): Promise<CallResult<T>> {
    const reference = (body as { reference?: unknown } | undefined)?.reference;
    const attributes = {
      'kassa.processor.operation': operation,
      ...(key === null ? {} : { 'kassa.processor.key': key }),
      ...(typeof reference === 'string' ? { 'kassa.object_id': reference } : {}),
    };
    return inSpan(
      tracer,
      `processor.${operation}`,
      { kind: SpanKind.CLIENT, attributes },
      async (span) => {
        const result = await guardedCall<T>(operation, method, path, key, body);
        span.setAttribute('kassa.processor.result', result.kind);
        if (result.kind === 'rejected') span.setAttribute('kassa.processor.code', result.code);
        if (result.kind === 'unknown' || result.kind === 'unavailable')
          span.setStatus({ code: SpanStatusCode.ERROR, message: result.kind });
        return result;
      },
    );
  }

  async function guardedCall<T>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    key: string | null,
    body?: unknown,
  ): Promise<CallResult<T>> {
    const permit = options.breaker.tryAcquire();
    if (!permit.allowed) {
      options.metrics.processorCalls.inc({ operation, outcome: 'breaker_open' });
      return { kind: 'unavailable', retryAfterMs: permit.retryAfterMs };
    }
    const result = await attempts(operation, method, path, key, body);
    permit.release(result.kind === 'answered' ? 'success' : 'failure');
    if (result.kind === 'failed') return { kind: 'unknown', reason: result.reason };
    options.metrics.processorCalls.inc({ operation, outcome: 'answered' });
    if (result.status >= 200 && result.status < 300)
      return { kind: 'answered', value: result.body as T };
    const code = (result.body as { error?: { code?: string } } | null)?.error?.code;
    return { kind: 'rejected', status: result.status, code: code ?? `http_${result.status}` };
  }

  async function attempts(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    key: string | null,
    body: unknown,
  ): Promise<Attempt> {
    const abandon = new AbortController();
    const running = new Map<number, Promise<{ n: number; result: Attempt }>>();
    let started = 0;
    let lastFailure: Attempt = { kind: 'failed', reason: 'error' };
    const launch = () => {
      const n = started;
      started += 1;
      running.set(
        n,
        attempt(operation, method, path, key, body, abandon.signal).then((result) => ({
          n,
          result,
        })),
      );
    };
    // Once the breaker opened (this call's tries and others' said the processor is down), the
    // call sends nothing more: it waits for what is out, then its outcome is unknown.
    // Tries start within one timeout (at least 1 s) of the call, so a hung processor costs the
    // caller about two timeouts, not one per try.
    const launchBy = performance.now() + Math.max(options.timeoutMs, 1_000);
    const mayLaunch = () =>
      started <= options.retries &&
      performance.now() < launchBy &&
      options.breaker.state() !== 'open';
    try {
      launch();
      while (running.size > 0) {
        const hedge =
          options.hedgeAfterMs > 0 && mayLaunch()
            ? sleep(options.hedgeAfterMs, 'hedge' as const, { signal: abandon.signal }).catch(
                () => 'abandoned' as const,
              )
            : new Promise<never>(() => undefined);
        const next = await Promise.race([...running.values(), hedge]);
        if (next === 'abandoned') break;
        if (next === 'hedge') {
          if (!mayLaunch()) continue;
          options.metrics.processorCalls.inc({ operation, outcome: 'hedged' });
          launch();
          continue;
        }
        running.delete(next.n);
        options.breaker.recordAttempt(next.result.kind === 'answered');
        if (next.result.kind === 'answered') return next.result;
        options.metrics.processorCalls.inc({ operation, outcome: next.result.reason });
        lastFailure = next.result;
        if (mayLaunch() && running.size === 0) {
          await sleep(random() * Math.min(1_000, 50 * 2 ** started));
          if (mayLaunch()) launch();
        }
      }
      return lastFailure;
    } finally {
      abandon.abort();
    }
  }

  return {
    charge: (key, input) =>
      call('charge', 'POST', '/v1/charges', key, {
        amount: Number(input.amount),
        currency: input.currency,
        card: {
          number: input.card.number,
          exp_month: input.card.expMonth,
          exp_year: input.card.expYear,
        },
        capture: true,
        reference: input.reference,
      }),
    payout: (key, input) =>
      call('payout', 'POST', '/v1/payouts', key, {
        amount: Number(input.amount),
        currency: input.currency,
        bank_account: input.bankAccount,
        reference: input.reference,
      }),
    lookup: (key) => call('lookup', 'GET', `/v1/operations/${encodeURIComponent(key)}`, null),
    getCharge: (id) => call('get_charge', 'GET', `/v1/charges/${encodeURIComponent(id)}`, null),
    voidCharge: (id, key) =>
      call('void', 'POST', `/v1/charges/${encodeURIComponent(id)}/void`, key, {}),
    refund: (key, input) =>
      call('refund', 'POST', '/v1/refunds', key, {
        charge: input.charge,
        amount: Number(input.amount),
        reference: input.reference,
      }),
    async settlement() {
      const url = `${options.baseUrl}/admin/settlement`;
      const res = await fetch(url, {
        signal: AbortSignal.timeout(Math.max(options.timeoutMs, 10_000)),
      }).catch((error: unknown) => {
        throw new Error(`the processor's settlement report is unreachable at ${url}`, {
          cause: error,
        });
      });
      if (!res.ok) throw new Error(`settlement report from ${url}: HTTP ${res.status}`);
      const list = (await res.json()) as { data: SettlementEntry[] };
      return list.data;
    },
  };
}
