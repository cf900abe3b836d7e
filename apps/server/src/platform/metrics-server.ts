import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  /** `http(s)://host:port`, the port the system picked when asked for 0. */
  readonly url: string;
  close(): Promise<void>;
}

/** Compares digests, so neither the length nor the content of the key leaks through timing. */
function sameKey(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function authorized(request: IncomingMessage, operatorKey: string): boolean {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') && sameKey(header.slice('Bearer '.length), operatorKey);
}

/**
 * `GET /metrics` alone, for a process that serves no API (the worker). Like the API's own
 * `/metrics`, it asks for the operator key: the metrics describe the business.
 */
export async function startMetricsServer(options: {
  registry: Registry;
  operatorKey: string;
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer } | undefined;
}): Promise<MetricsServer> {
  const { registry, operatorKey } = options;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (!authorized(request, operatorKey)) {
      response.writeHead(401, { 'content-type': 'text/plain' }).end('operator key required\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('collect failed\n'),
    );
  };
  const server: Server =
    options.tls === undefined ? createHttpServer(handle) : createHttpsServer(options.tls, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
