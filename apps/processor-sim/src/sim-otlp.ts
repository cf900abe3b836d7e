import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The stand-in's own spans, batched to an OTLP/HTTP collector (`npm run processor` alone). */
export function otlpTracing(endpoint: string): { tracer: Tracer; close(): Promise<void> } {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'kassa-processor-sim' }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })),
    ],
  });
  return { tracer: provider.getTracer('kassa-processor-sim'), close: () => provider.shutdown() };
}
