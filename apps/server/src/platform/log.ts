import { pino, type Logger } from 'pino';

export type { Logger };

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
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
