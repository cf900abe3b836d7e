import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApiProcess, type ServerProcess } from './support/api-process.ts';
import { createTestDatabase } from './support/test-database.ts';

let api: ServerProcess;
let cert: Buffer;
let drop: () => Promise<void>;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-tls-'));
  // The self-signed pair the README tells developers to make for local HTTPS.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'));
  const database = await createTestDatabase();
  drop = () => database.drop();
  api = await startApiProcess({
    DATABASE_URL: database.url,
    TLS_CERT_FILE: join(dir, 'cert.pem'),
    TLS_KEY_FILE: join(dir, 'key.pem'),
    KASSA_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    KASSA_OPERATOR_KEY: `op_${randomBytes(24).toString('base64url')}`,
    KASSA_DATA_DIR: join(tmpdir(), `kassa-tls-${randomUUID()}`),
  });
});
after(async () => {
  await api.kill();
  await drop();
});

function get(
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    client
      .get(url, options, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      })
      .on('error', reject);
  });
}

describe('TLS', () => {
  it('serves HTTPS with a verified certificate, HSTS and secure headers', async () => {
    const port = new URL(api.url).port;
    const res = await get(`https://localhost:${port}/livez`, { ca: cert });
    assert.equal(res.status, 200);
    assert.equal(res.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('does not speak plain HTTP on the TLS port', async () => {
    const port = new URL(api.url).port;
    await assert.rejects(get(`http://127.0.0.1:${port}/livez`));
  });

  it('TLS 1.2 offers only forward-secret AEAD suites: no RSA key exchange, no CBC', async () => {
    const handshake = (options: tls.ConnectionOptions) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          {
            host: '127.0.0.1',
            port: Number(new URL(api.url).port),
            ca: cert,
            servername: 'localhost',
            ...options,
          },
          () => {
            const cipher = socket.getCipher().name;
            socket.end();
            resolve(cipher);
          },
        );
        socket.on('error', reject);
      });
    for (const weak of ['AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384'])
      await assert.rejects(
        handshake({ maxVersion: 'TLSv1.2', ciphers: weak }),
        /handshake failure|no shared cipher|alert/i,
        weak,
      );
    assert.equal(
      await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
      'ECDHE-ECDSA-AES128-GCM-SHA256',
    );
    assert.match(await handshake({}), /^TLS_/, 'TLS 1.3 by default');
  });

  it('a client that does not trust the certificate is refused', async () => {
    const port = new URL(api.url).port;
    await assert.rejects(get(`https://localhost:${port}/livez`), /self-signed|certificate/i);
  });
});
