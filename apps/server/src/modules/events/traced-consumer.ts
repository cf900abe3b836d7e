import { encodeId } from '../../kernel/ids.ts';
import {
  noTracer,
  setSpanError,
  SpanKind,
  storedTraceContext,
  type Span,
  type Tracer,
} from '../../platform/tracing.ts';
import type { OutboxConsumer } from './outbox-relay.ts';

/**
 * A consumer whose handling of each event is a span in the trace the event was written in
 * (`events.traceparent`): a request's story goes on into the worker. Events written outside any
 * trace make no span. The spans cover the consumer's whole batch, which is handled at once.
 */
export function tracedConsumer(consumer: OutboxConsumer, tracer: Tracer): OutboxConsumer {
  if (tracer === noTracer) return consumer;
  return {
    name: consumer.name,
    async handle(client, events) {
      const spans: Span[] = [];
      for (const event of events) {
        if (event.traceparent === null || event.traceparent === undefined) continue;
        const parent = storedTraceContext(event.traceparent, {
          requestId: event.request_id ?? null,
          actor: null,
        });
        const attributes = {
          'kassa.event_id': encodeId('evt', event.id),
          'kassa.event_type': event.type,
          'kassa.object_id': event.object_id,
          'kassa.events_in_batch': events.length,
          ...(event.request_id == null ? {} : { 'kassa.request_id': event.request_id }),
        };
        spans.push(
          tracer.startSpan(
            `event ${consumer.name}`,
            { kind: SpanKind.CONSUMER, attributes },
            parent,
          ),
        );
      }
      try {
        await consumer.handle(client, events);
      } catch (error) {
        for (const span of spans) setSpanError(span, error);
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
    },
  };
}
