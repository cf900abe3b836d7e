import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
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

/** A built file, compressed on first request (once per encoding) and kept. */
interface Asset {
  readonly body: Buffer;
  readonly encoded: (encoding: 'br' | 'gzip') => Buffer;
  /** A strong validator: the content's digest. */
  readonly etag: string;
}

function asset(body: Buffer): Asset {
  const cache = new Map<'br' | 'gzip', Buffer>();
  return {
    body,
    encoded(encoding) {
      let out = cache.get(encoding);
      if (out === undefined) {
        out =
          encoding === 'br'
            ? brotliCompressSync(body, {
                params: {
                  [zlibConstants.BROTLI_PARAM_QUALITY]: body.length > 512_000 ? 5 : 11,
                  [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
                },
              })
            : gzipSync(body, { level: 9 });
        cache.set(encoding, out);
      }
      return out;
    },
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/** The best encoding the client accepts (brotli, then gzip), or none. */
function encodingFor(accept: string | undefined): 'br' | 'gzip' | null {
  const accepted = (accept ?? '').split(',').map((part) => part.trim().split(';')[0]);
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return null;
}

/**
 * Serves the built mobile web app at `/app/` (files read and compressed once at start: the
 * build is immutable for the process's life): brotli or gzip as the client accepts, a strong
 * ETag so a repeat visit revalidates with a 304 and no body. `no-cache` lets the service worker
 * and browsers revalidate each start; the API's own responses stay `no-store`.
 */
export function webAppRoutes(dir: string) {
  const files = new Map(
    readdirSync(dir)
      .filter((name) => types[extname(name)] !== undefined)
      .map((name) => [name, asset(readFileSync(join(dir, name)))]),
  );
  return async function plugin(app: FastifyInstance): Promise<void> {
    const hidden = { config: { public: true }, schema: { hide: true } } as const;
    app.get('/app', hidden, async (_request, reply) => reply.redirect('/app/'));
    app.get<{ Params: { file?: string } }>('/app/:file', hidden, async (request, reply) => {
      const name =
        request.params.file === undefined || request.params.file === ''
          ? 'index.html'
          : request.params.file;
      const file = files.get(name);
      if (file === undefined) return reply.callNotFound();
      reply
        .header('content-type', types[extname(name)] ?? 'application/octet-stream')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', contentSecurityPolicy)
        .header('etag', file.etag)
        .header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      const encoding = encodingFor(request.headers['accept-encoding']);
      if (encoding === null) return reply.send(file.body);
      return reply.header('content-encoding', encoding).send(file.encoded(encoding));
    });
  };
}
