import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** Same-origin only: the app talks to this API and loads nothing from elsewhere. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "img-src 'self' data:",
  // WebAssembly (the QR reader on phones without a BarcodeDetector) compiles; no eval.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the built mobile web app at `/app/` (files read once at start: the build is
 * immutable for the process's life). `no-cache` lets the service worker and browsers revalidate
 * each start; the API's own responses stay `no-store`.
 */
export function webAppRoutes(dir: string) {
  const files = new Map(
    readdirSync(dir)
      .filter((name) => types[extname(name)] !== undefined)
      .map((name) => [name, readFileSync(join(dir, name))]),
  );
  return async function plugin(app: FastifyInstance): Promise<void> {
    const hidden = { config: { public: true }, schema: { hide: true } } as const;
    app.get('/app', hidden, async (_request, reply) => reply.redirect('/app/'));
    app.get<{ Params: { file?: string } }>('/app/:file', hidden, async (request, reply) => {
      const name =
        request.params.file === undefined || request.params.file === ''
          ? 'index.html'
          : request.params.file;
      const body = files.get(name);
      if (body === undefined) return reply.callNotFound();
      return reply
        .header('content-type', types[extname(name)] ?? 'application/octet-stream')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', contentSecurityPolicy)
        .send(body);
    });
  };
}
