import { pino, type Logger } from 'pino';
import { logFields } from './tracing.ts';

export type { Logger };

/** Where log lines go besides the process's output: the trace store or OTLP (telemetry.ts). */
export interface LogSink {
  /** Takes one serialized line; must not block (buffer it and ship it later). */
  push(line: string): void;
}

/** The destination every Kassa logger writes to: its stream, and a sink attached later. */
class LogTee implements pino.DestinationStream {
  sink: LogSink | null = null;
  constructor(private readonly inner: pino.DestinationStream) {}
  write(line: string): void {
    this.inner.write(line);
    this.sink?.push(line);
  }
  flush(): void {
    (this.inner as { flush?: () => void }).flush?.();
  }
}

const tees = new WeakMap<Logger, LogTee>();

/**
 * Structured JSON logs. Secrets never reach a log line: credentials, tokens and anything that
 * could hold card data are censored by path.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.secret_key',
  '*.access_token',
  '*.refresh_token',
  '*.number',
  '*.cvc',
  'body.password',
  'body.card',
];

export function createLogger(options: {
  level: string;
  name: string;
  destination?: pino.DestinationStream;
}): Logger {
  const settings = {
    level: options.level,
    name: options.name,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { pid: process.pid, service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line names its trace, span, request and acting caller (when there is one).
    mixin: logFields,
  };
  // pino's own default: buffered standard output, flushed on exit.
  const tee = new LogTee(
    options.destination ?? pino.destination({ dest: process.stdout.fd || 1, sync: false }),
  );
  const logger = pino(settings, tee);
  tees.set(logger, tee);
  return logger;
}

/**
 * Ships every line `logger` and its children write to `sink` too (the process's output keeps
 * them). Returns what detaches it. A logger not made by `createLogger` ships nothing.
 */
export function shipLogs(logger: Logger, sink: LogSink): () => void {
  const tee = tees.get(logger);
  if (tee === undefined) return () => undefined;
  tee.sink = sink;
  return () => {
    if (tee.sink === sink) tee.sink = null;
  };
}
