import { ROOT_CONTEXT, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { SeverityNumber, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { LogSink } from './log.ts';
import { createTraceStore, type TraceStore } from './trace-store.ts';
import { enableTraceContext, noTracer } from './tracing.ts';

/** Where this process's spans and log lines go, and the tracers that make them. */
export interface Telemetry {
  /** The process's own tracer (its service is the one named at creation). */
  readonly tracer: Tracer;
  /** A tracer for another service hosted in this process (the processor stand-in). */
  tracerFor(serviceName: string): Tracer;
  /** Takes log lines (`shipLogs`); they go where the spans go. */
  readonly logSink: LogSink;
  /** Sends what is buffered now (tests; the CLI before it exits). */
  flush(): Promise<void>;
  /** Sends what is buffered, then stops. */
  close(): Promise<void>;
}

export interface TelemetryOptions {
  /** false: nothing is traced or shipped, and no async context is kept (`OTEL_SDK_DISABLED`). */
  readonly enabled: boolean;
  readonly serviceName: string;
  /** An OTLP/HTTP collector's base URL; absent: PostgreSQL (`databaseUrl`). */
  readonly otlpEndpoint: string | undefined;
  readonly databaseUrl: string;
  /** A batch that could not be written (the store down): reported, then dropped. */
  readonly onError: (error: unknown) => void;
}

/** Buffered log lines waiting for the next flush; past it, new lines are dropped and counted. */
const logLinesBufferedMax = 50_000;
const flushIntervalMs = 1_000;

/**
 * Builds the SDK side of tracing: a tracer provider per hosted service with a batching span
 * processor (spans are buffered in memory and written at most every second, off the request
 * path; past 20,000 waiting spans new ones are dropped rather than memory growing), and a log
 * sink that buffers lines the same way. With an OTLP endpoint both go to the collector
 * (`/v1/traces`, `/v1/logs`); without one, to PostgreSQL through a pool of their own.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  if (!options.enabled) return disabledTelemetry;
  enableTraceContext();
  const store =
    options.otlpEndpoint === undefined
      ? createTraceStore({
          connectionString: options.databaseUrl,
          applicationName: `${options.serviceName}-traces`,
        })
      : null;
  const base = options.otlpEndpoint?.replace(/\/+$/, '');
  const exporter: SpanExporter =
    store === null ? new OTLPTraceExporter({ url: `${base}/v1/traces` }) : storeExporter(store);
  const providers = new Map<string, BasicTracerProvider>();
  const tracerFor = (serviceName: string): Tracer => {
    let provider = providers.get(serviceName);
    if (provider === undefined) {
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': serviceName }),
        spanProcessors: [
          new BatchSpanProcessor(exporter, {
            maxQueueSize: 20_000,
            maxExportBatchSize: 2_000,
            scheduledDelayMillis: flushIntervalMs,
          }),
        ],
      });
      providers.set(serviceName, provider);
    }
    return provider.getTracer(serviceName);
  };
  const logs = store === null ? otlpLogs(options.serviceName, `${base}/v1/logs`) : null;
  const shipLines =
    store === null ? (lines: string[]) => logs?.emit(lines) : store.writeLogLines.bind(store);

  let buffered: string[] = [];
  let dropped = 0;
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const lines = buffered;
    if (lines.length === 0) return flushing;
    buffered = [];
    flushing = flushing
      .then(() => shipLines(lines))
      .catch((error: unknown) => {
        // Before the first migration the tables are missing: keep the lines for the next try.
        if ((error as { code?: string }).code === '42P01')
          buffered = [...lines, ...buffered].slice(-logLinesBufferedMax);
        else options.onError(error);
      });
    return flushing;
  };
  const timer = setInterval(() => {
    if (dropped > 0) {
      options.onError(new Error(`${dropped} log lines dropped: the log buffer was full`));
      dropped = 0;
    }
    void flush();
  }, flushIntervalMs);
  timer.unref();

  return {
    tracer: tracerFor(options.serviceName),
    tracerFor,
    logSink: {
      push(line) {
        if (buffered.length >= logLinesBufferedMax) dropped += 1;
        else buffered.push(line);
      },
    },
    async flush() {
      await Promise.all([...providers.values()].map((p) => p.forceFlush().catch(options.onError)));
      await flush();
    },
    // A store that is down loses what was buffered; closing never fails because of it.
    async close() {
      clearInterval(timer);
      await Promise.all([...providers.values()].map((p) => p.shutdown().catch(options.onError)));
      await flush();
      await logs?.close().catch(options.onError);
      await store?.close().catch(options.onError);
    },
  };
}

const disabledTelemetry: Telemetry = {
  tracer: noTracer,
  tracerFor: () => noTracer,
  logSink: { push: () => undefined },
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

function storeExporter(store: TraceStore): SpanExporter {
  return {
    export(spans, done) {
      store.writeSpans(spans).then(
        () => done({ code: ExportResultCode.SUCCESS }),
        (error: unknown) => done({ code: ExportResultCode.FAILED, error: error as Error }),
      );
    },
    shutdown: () => Promise.resolve(),
  };
}

const severities: Record<number, [SeverityNumber, string]> = {
  10: [SeverityNumber.TRACE, 'TRACE'],
  20: [SeverityNumber.DEBUG, 'DEBUG'],
  30: [SeverityNumber.INFO, 'INFO'],
  40: [SeverityNumber.WARN, 'WARN'],
  50: [SeverityNumber.ERROR, 'ERROR'],
  60: [SeverityNumber.FATAL, 'FATAL'],
};

/** pino lines as OpenTelemetry log records, tied to their span, batched to the collector. */
function otlpLogs(serviceName: string, url: string) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url }) })],
  });
  const logger: OtelLogger = provider.getLogger(serviceName);
  return {
    emit(lines: readonly string[]) {
      for (const raw of lines) {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          continue;
        }
        const { msg, level, time, trace_id: traceId, span_id: spanId, ...attributes } = line;
        const [severityNumber, severityText] = severities[Number(level)] ?? severities[30]!;
        logger.emit({
          body: typeof msg === 'string' ? msg : '',
          severityNumber,
          severityText,
          timestamp: new Date(typeof time === 'string' ? time : Date.now()),
          attributes: attributes as Record<string, string>,
          ...(typeof traceId === 'string' && typeof spanId === 'string'
            ? {
                context: trace.setSpanContext(ROOT_CONTEXT, {
                  traceId,
                  spanId,
                  traceFlags: TraceFlags.SAMPLED,
                }),
              }
            : {}),
        });
      }
    },
    close: () => provider.shutdown(),
  };
}
