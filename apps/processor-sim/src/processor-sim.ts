import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { cardBehaviour, payoutFailure } from './test-cards.ts';
import { noFaults, parseFaults, type Faults } from './faults.ts';
import { addSimMetrics } from './sim-metrics.ts';
import { SimStore, type Charge, type Payout } from './sim-store.ts';
import { simTracing } from './sim-tracing.ts';
import type { Tracer } from '@opentelemetry/api';

export interface ProcessorSimOptions {
  /** Kassa's API key for `/v1/*` (`Authorization: Bearer`). */
  readonly apiKey: string;
  /** The key that signs callbacks (`Processor-Signature`); never the API key. */
  readonly callbackSecret: string;
  /** Where callbacks go (`POST`, signed); absent: none are sent. */
  readonly callbackUrl?: string | undefined;
  /** A JSON-lines file that keeps the store across restarts; absent: memory only. */
  readonly dataFile?: string | undefined;
  readonly random?: () => number;
}

export interface SimStats {
  requests: number;
  effects: number;
  replays: number;
  errors_injected: number;
  timeouts_injected: number;
  lost_replies_injected: number;
  abandoned_by_caller: number;
  callbacks_sent: number;
  duplicate_callbacks_sent: number;
  callbacks_failed: number;
}

type Answer = {
  readonly statusCode: number;
  readonly body: unknown;
  readonly event?: { readonly type: string; readonly object: unknown };
};

const amount = { type: 'integer', minimum: 1, maximum: 9007199254740991 } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
const reference = { type: 'string', maxLength: 255 } as const;

function failure(statusCode: number, code: string, message: string): Answer {
  return { statusCode, body: { error: { code, message } } };
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

function brandOf(number: string): string {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (number.startsWith('6')) return 'discover';
  return 'unknown';
}

/**
 * The card network / acquirer / bank stand-in. Every `POST /v1/*` needs an `Idempotency-Key`:
 * the same key gets the same answer and the work happens once. Faults apply per call, before
 * the work (errors, timeouts: nothing happens) or after it (a lost reply: it happened).
 * Card numbers are used to decide the outcome and never stored: only brand and last 4.
 */
export function createProcessorSim(options: ProcessorSimOptions) {
  const random = options.random ?? Math.random;
  const store = new SimStore(options.dataFile);
  let faults: Faults = noFaults;
  const stats: SimStats = {
    requests: 0,
    effects: 0,
    replays: 0,
    errors_injected: 0,
    timeouts_injected: 0,
    lost_replies_injected: 0,
    abandoned_by_caller: 0,
    callbacks_sent: 0,
    duplicate_callbacks_sent: 0,
    callbacks_failed: 0,
  };
  const pendingCallbacks = new Set<Promise<void>>();
  let callbackUrl = options.callbackUrl;
  let closing = false;
  // Aborts callback deliveries (their waits and requests) when the stand-in closes.
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal); // one listener per callback in flight

  const app = Fastify({ logger: false });
  const tracing = simTracing(app);
  addSimMetrics(app, stats);

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    if (request.headers.authorization !== `Bearer ${options.apiKey}`)
      return reply.code(401).send({ error: { code: 'unauthorized', message: 'Bad API key.' } });
  });

  function dropConnection(reply: FastifyReply): void {
    reply.hijack();
    reply.raw.socket?.destroy();
  }

  /**
   * Latency, errors and timeouts, before any work: `false` when the call was answered (or
   * dropped) here and nothing happened.
   */
  async function survivesFaults(reply: FastifyReply): Promise<boolean> {
    stats.requests += 1;
    let callerGone = false;
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) callerGone = true;
    });
    const delay = faults.latency_ms + random() * faults.latency_jitter_ms;
    if (delay > 0) await sleep(delay);
    if (callerGone) {
      // The caller gave up before the request was processed: like a request that never arrived.
      stats.abandoned_by_caller += 1;
      tracing.note(reply.request, 'fault', 'abandoned_by_caller');
      reply.hijack();
      return false;
    }
    const roll = random();
    if (roll < faults.error_rate) {
      stats.errors_injected += 1;
      tracing.note(reply.request, 'fault', 'error');
      await reply.code(500).send({
        error: { code: 'processor_error', message: 'Injected failure; nothing happened.' },
      });
      return false;
    }
    if (roll < faults.error_rate + faults.timeout_rate) {
      stats.timeouts_injected += 1;
      tracing.note(reply.request, 'fault', 'timeout');
      reply.hijack();
      // Hold the connection open without an answer until the caller gives up (or 2 minutes).
      await Promise.race([
        new Promise((resolve) => reply.raw.once('close', resolve)),
        sleep(120_000, undefined, { ref: false }),
      ]);
      reply.raw.socket?.destroy();
      return false;
    }
    return true;
  }

  /** Runs a keyed call under the current faults. */
  async function keyed(request: FastifyRequest, reply: FastifyReply, work: () => Answer) {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0 || key.length > 255)
      return reply.code(400).send({
        error: { code: 'idempotency_key_missing', message: 'Idempotency-Key is required.' },
      });
    if (!(await survivesFaults(reply))) return reply;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const stored = store.operations.get(key);
    let answer: Answer;
    if (stored !== undefined) {
      if (stored.fingerprint !== fingerprint) {
        answer = failure(422, 'idempotency_key_reused', 'This key was used for another request.');
      } else {
        stats.replays += 1;
        tracing.note(request, 'replayed', true);
        answer = { statusCode: stored.statusCode, body: stored.body };
      }
    } else {
      answer = work();
      if (answer.statusCode < 500) {
        store.saveOperation({ key, fingerprint, statusCode: answer.statusCode, body: answer.body });
        stats.effects += 1;
        if (answer.event !== undefined)
          sendCallback(answer.event.type, answer.event.object, request);
      }
    }
    if (random() < faults.lost_reply_rate) {
      stats.lost_replies_injected += 1;
      tracing.note(request, 'fault', 'lost_reply');
      return dropConnection(reply);
    }
    return reply.code(answer.statusCode).send(answer.body);
  }

  function sendCallback(type: string, object: unknown, cause?: FastifyRequest): void {
    if (callbackUrl === undefined || closing) return;
    const body = JSON.stringify({
      id: newId('evt'),
      type,
      created_at: new Date().toISOString(),
      data: { object },
    });
    const copies = random() < faults.duplicate_callback_rate ? 2 : 1;
    if (copies === 2) stats.duplicate_callbacks_sent += 1;
    for (let i = 0; i < copies; i += 1) {
      const delivery = deliver(
        body,
        random() * faults.callback_delay_ms,
        tracing.headersFor(cause),
      ).finally(() => pendingCallbacks.delete(delivery));
      pendingCallbacks.add(delivery);
    }
  }

  async function deliver(
    body: string,
    delayMs: number,
    traceHeaders: Record<string, string>,
  ): Promise<void> {
    const signal = stopping.signal;
    try {
      if (delayMs > 0) await sleep(delayMs, undefined, { signal });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const t = Math.floor(Date.now() / 1000);
        const signature = createHmac('sha256', options.callbackSecret)
          .update(`${t}.${body}`)
          .digest('hex');
        // Not AbortSignal.any([signal, AbortSignal.timeout()]): Node 20's `any` holds its
        // sources weakly, and a collected timeout signal never fires.
        const attemptStop = new AbortController();
        const timer = setTimeout(() => attemptStop.abort(), 5_000);
        const onStop = () => attemptStop.abort();
        signal.addEventListener('abort', onStop, { once: true });
        try {
          const res = await fetch(callbackUrl ?? '', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'processor-signature': `t=${t},v1=${signature}`,
              ...traceHeaders,
            },
            body,
            signal: attemptStop.signal,
          });
          await res.arrayBuffer();
          if (res.ok) {
            stats.callbacks_sent += 1;
            return;
          }
        } catch (error) {
          if (signal.aborted) throw error;
        } finally {
          clearTimeout(timer);
          signal.removeEventListener('abort', onStop);
        }
        await sleep(200 * 2 ** attempt, undefined, { signal });
      }
    } catch {
      if (signal.aborted) return; // closing: undelivered callbacks are dropped
    }
    stats.callbacks_failed += 1;
  }

  app.post<{
    Body: {
      amount: number;
      currency: string;
      card: { number: string; exp_month: number; exp_year: number; cvc?: string };
      capture?: boolean;
      reference?: string;
    };
  }>(
    '/v1/charges',
    {
      schema: {
        body: {
          type: 'object',
          required: ['amount', 'currency', 'card'],
          additionalProperties: false,
          properties: {
            amount,
            currency,
            capture: { type: 'boolean' },
            reference,
            card: {
              type: 'object',
              required: ['number', 'exp_month', 'exp_year'],
              additionalProperties: false,
              properties: {
                number: { type: 'string', pattern: '^[0-9]{12,19}$' },
                exp_month: { type: 'integer', minimum: 1, maximum: 12 },
                exp_year: { type: 'integer', minimum: 2000, maximum: 2200 },
                cvc: { type: 'string', pattern: '^[0-9]{3,4}$' },
              },
            },
          },
        },
      },
    },
    (request, reply) =>
      keyed(request, reply, () => {
        const body = request.body;
        const behaviour = cardBehaviour(body.card, new Date());
        const capture = body.capture ?? true;
        const approved = behaviour.outcome === 'approve';
        const charge: Charge = {
          id: newId('ch'),
          object: 'charge',
          status: approved
            ? capture
              ? 'succeeded'
              : 'requires_capture'
            : behaviour.outcome === 'authenticate'
              ? 'requires_action'
              : 'declined',
          amount: body.amount,
          amount_captured: approved && capture ? body.amount : 0,
          amount_refunded: 0,
          currency: body.currency,
          decline_code:
            behaviour.outcome === 'decline'
              ? behaviour.declineCode
              : behaviour.outcome === 'processing_error'
                ? 'processing_error'
                : null,
          next_action: null,
          capture,
          card: { brand: brandOf(body.card.number), last4: body.card.number.slice(-4) },
          reference: body.reference ?? null,
          idempotency_key: String(request.headers['idempotency-key']),
          created_at: new Date().toISOString(),
        };
        if (charge.status === 'requires_action')
          charge.next_action = {
            type: 'redirect_to_url',
            url: `${request.protocol}://${request.headers.host ?? 'localhost'}/authenticate/${charge.id}`,
          };
        store.saveCharge(charge);
        if (charge.status === 'succeeded') settleCapture(charge, charge.amount);
        return {
          statusCode: 200,
          body: charge,
          event: {
            type: charge.status === 'declined' ? 'charge.failed' : `charge.${charge.status}`,
            object: charge,
          },
        };
      }),
  );

  function settleCapture(charge: Charge, captured: number): void {
    store.settle({
      type: 'capture',
      id: newId('st'),
      object_id: charge.id,
      idempotency_key: charge.idempotency_key,
      amount: captured,
      currency: charge.currency,
      reference: charge.reference,
      at: new Date().toISOString(),
    });
  }

  app.post<{ Params: { id: string }; Body: { amount?: number } | undefined }>(
    '/v1/charges/:id/capture',
    {
      schema: {
        body: { type: ['object', 'null'], additionalProperties: false, properties: { amount } },
      },
    },
    (request, reply) =>
      keyed(request, reply, () => {
        const charge = store.charges.get(request.params.id);
        if (charge === undefined) return failure(404, 'not_found', 'No such charge.');
        if (charge.status !== 'requires_capture')
          return failure(409, 'charge_not_capturable', `The charge is ${charge.status}.`);
        const captured = request.body?.amount ?? charge.amount;
        if (captured > charge.amount)
          return failure(400, 'amount_too_large', 'Capture at most the authorized amount.');
        charge.status = 'succeeded';
        charge.amount_captured = captured;
        store.saveCharge(charge);
        settleCapture(charge, captured);
        return {
          statusCode: 200,
          body: charge,
          event: { type: 'charge.captured', object: charge },
        };
      }),
  );

  app.post<{ Params: { id: string } }>('/v1/charges/:id/void', (request, reply) =>
    keyed(request, reply, () => {
      const charge = store.charges.get(request.params.id);
      if (charge === undefined) return failure(404, 'not_found', 'No such charge.');
      if (charge.status !== 'requires_capture' && charge.status !== 'requires_action')
        return failure(409, 'charge_not_voidable', `The charge is ${charge.status}.`);
      charge.status = 'canceled';
      store.saveCharge(charge);
      return { statusCode: 200, body: charge };
    }),
  );

  app.post<{ Body: { charge: string; amount: number; reference?: string } }>(
    '/v1/refunds',
    {
      schema: {
        body: {
          type: 'object',
          required: ['charge', 'amount'],
          additionalProperties: false,
          properties: { charge: { type: 'string' }, amount, reference },
        },
      },
    },
    (request, reply) =>
      keyed(request, reply, () => {
        const charge = store.charges.get(request.body.charge);
        if (charge === undefined) return failure(404, 'not_found', 'No such charge.');
        if (charge.amount_refunded + request.body.amount > charge.amount_captured)
          return failure(400, 'amount_too_large', 'Refund at most what was captured.');
        charge.amount_refunded += request.body.amount;
        store.saveCharge(charge);
        const refund = {
          id: newId('re'),
          object: 'refund',
          status: 'succeeded',
          charge: charge.id,
          amount: request.body.amount,
          currency: charge.currency,
        };
        store.settle({
          type: 'refund',
          id: newId('st'),
          object_id: refund.id,
          idempotency_key: String(request.headers['idempotency-key']),
          amount: refund.amount,
          currency: refund.currency,
          reference: request.body.reference ?? charge.reference,
          at: new Date().toISOString(),
        });
        return {
          statusCode: 200,
          body: refund,
          event: { type: 'refund.succeeded', object: refund },
        };
      }),
  );

  app.post<{
    Body: {
      amount: number;
      currency: string;
      bank_account: { country: string; account_number: string; routing_number: string };
      reference?: string;
    };
  }>(
    '/v1/payouts',
    {
      schema: {
        body: {
          type: 'object',
          required: ['amount', 'currency', 'bank_account'],
          additionalProperties: false,
          properties: {
            amount,
            currency,
            reference,
            bank_account: {
              type: 'object',
              required: ['country', 'account_number', 'routing_number'],
              additionalProperties: false,
              properties: {
                country: { type: 'string', pattern: '^[A-Z]{2}$' },
                account_number: { type: 'string', pattern: '^[0-9A-Z]{4,34}$' },
                routing_number: { type: 'string', pattern: '^[0-9A-Z]{4,20}$' },
              },
            },
          },
        },
      },
    },
    (request, reply) =>
      keyed(request, reply, () => {
        const body = request.body;
        const failed = payoutFailure(body.bank_account.account_number);
        const payout: Payout = {
          id: newId('po'),
          object: 'payout',
          status: failed === null ? 'paid' : 'failed',
          amount: body.amount,
          currency: body.currency,
          failure_code: failed,
          bank_account: {
            country: body.bank_account.country,
            last4: body.bank_account.account_number.slice(-4),
          },
          reference: body.reference ?? null,
          idempotency_key: String(request.headers['idempotency-key']),
          created_at: new Date().toISOString(),
        };
        store.savePayout(payout);
        if (payout.status === 'paid')
          store.settle({
            type: 'payout',
            id: newId('st'),
            object_id: payout.id,
            idempotency_key: payout.idempotency_key,
            amount: payout.amount,
            currency: payout.currency,
            reference: payout.reference,
            at: new Date().toISOString(),
          });
        return {
          statusCode: 200,
          body: payout,
          event: { type: `payout.${payout.status}`, object: payout },
        };
      }),
  );

  // 3-D Secure: the bank's page where the cardholder confirms (or refuses) a charge.
  app.get<{ Params: { id: string } }>('/authenticate/:id', async (request, reply) => {
    const charge = store.charges.get(request.params.id);
    if (charge?.status !== 'requires_action')
      return reply.code(404).type('text/html').send('<p>Nothing to confirm.</p>');
    const amount = `${(charge.amount / 100).toFixed(2)} ${charge.currency}`;
    return reply.type('text/html')
      .send(`<!doctype html><meta name="viewport" content="width=device-width">
<title>Confirm your payment</title><h1>Your bank</h1>
<p>Confirm a payment of <b>${amount}</b> with your card ending ${charge.card.last4}.</p>
<form method="post" action="/authenticate/${charge.id}/approve"><button>Confirm</button></form>
<form method="post" action="/authenticate/${charge.id}/decline"><button>Refuse</button></form>`);
  });

  app.post<{ Params: { id: string; result: string } }>(
    '/authenticate/:id/:result',
    async (request, reply) => {
      const charge = store.charges.get(request.params.id);
      const result = request.params.result;
      if (charge?.status !== 'requires_action' || (result !== 'approve' && result !== 'decline'))
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: 'Nothing to confirm.' } });
      charge.next_action = null;
      if (result === 'approve') {
        charge.status = charge.capture ? 'succeeded' : 'requires_capture';
        if (charge.capture) charge.amount_captured = charge.amount;
      } else {
        charge.status = 'declined';
        charge.decline_code = 'authentication_failed';
      }
      store.saveCharge(charge);
      if (charge.status === 'succeeded') settleCapture(charge, charge.amount);
      sendCallback(
        charge.status === 'declined' ? 'charge.failed' : `charge.${charge.status}`,
        charge,
      );
      return reply.type('text/html').send('<p>Done. You can go back to the app.</p>');
    },
  );

  // Lookups: how a caller that lost a reply learns what happened. They suffer the same
  // latency, errors and timeouts as any call.
  app.get<{ Params: { key: string } }>('/v1/operations/:key', async (request, reply) => {
    if (!(await survivesFaults(reply))) return reply;
    const found = store.operations.get(request.params.key);
    if (found === undefined)
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: 'No call with this key.' } });
    return reply.code(found.statusCode).send(found.body);
  });

  app.get<{ Params: { id: string } }>('/v1/charges/:id', async (request, reply) => {
    const charge = store.charges.get(request.params.id);
    return charge === undefined
      ? reply.code(404).send({ error: { code: 'not_found', message: 'No such charge.' } })
      : charge;
  });

  app.get<{ Params: { id: string } }>('/v1/payouts/:id', async (request, reply) => {
    const payout = store.payouts.get(request.params.id);
    return payout === undefined
      ? reply.code(404).send({ error: { code: 'not_found', message: 'No such payout.' } })
      : payout;
  });

  app.get('/admin/settlement', async () => ({ object: 'list', data: store.settlement }));
  app.get('/admin/faults', async () => faults);
  app.post('/admin/faults', async (request, reply) => {
    const parsed = parseFaults(request.body);
    if ('error' in parsed)
      return reply.code(400).send({ error: { code: 'invalid_faults', message: parsed.error } });
    faults = parsed;
    return faults;
  });
  app.delete('/admin/faults', async () => {
    faults = noFaults;
    return faults;
  });
  app.get('/admin/stats', async () => stats);
  app.get('/healthz', async () => ({ ok: true }));

  return {
    app,
    stats,
    store,
    /** Records each `/v1/*` call as a span, continuing the caller's `traceparent`. */
    setTracer(tracer: Tracer): void {
      tracing.setTracer(tracer);
    },
    /** Where callbacks go from now on (a test learns Kassa's port after starting the sim). */
    setCallbackUrl(url: string | undefined): void {
      callbackUrl = url;
    },
    async listen(port: number, host = '127.0.0.1'): Promise<string> {
      return app.listen({ port, host });
    },
    async close(): Promise<void> {
      closing = true;
      stopping.abort();
      await Promise.allSettled([...pendingCallbacks]);
      await app.close();
    },
  };
}

export type ProcessorSim = ReturnType<typeof createProcessorSim>;
